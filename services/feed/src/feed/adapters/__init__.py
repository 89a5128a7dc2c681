"""MongoDB and Kafka adapters of the feed service."""
