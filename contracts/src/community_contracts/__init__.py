"""Hand-written contract facts shared by every service and client: topics, headers, error
reasons, services and the event registry. Each is defined here once; see README.md."""
