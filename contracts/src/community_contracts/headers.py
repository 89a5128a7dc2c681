"""Kafka record headers: CloudEvents 1.0 binary mode (SPEC §8) and the dead-letter extras.

The record value is the protobuf-encoded event; every CloudEvents attribute travels as a
header whose value is UTF-8 text.
"""

from __future__ import annotations

SPECVERSION = "ce_specversion"
ID = "ce_id"
SOURCE = "ce_source"
TYPE = "ce_type"
TIME = "ce_time"
SUBJECT = "ce_subject"
CONTENT_TYPE = "content-type"

# CloudEvents extensions of this platform.
COMMUNITY_ID = "ce_communityid"
SEQUENCE = "ce_sequence"
ACTOR_ID = "ce_actorid"
CORRELATION_ID = "ce_correlationid"
CAUSATION_ID = "ce_causationid"
# The record's position among the records with the same Kafka key on its topic: strictly
# increasing in publication order, assigned once by the publishing relay and kept with the
# stored event, so a re-published record carries the same number. A consumer whose state spans
# many aggregates of one community (insights) dedupes with one number per key and topic.
KEY_SEQUENCE = "ce_keysequence"

# W3C trace context, present when the write was traced.
TRACEPARENT = "traceparent"

SPECVERSION_VALUE = "1.0"
CONTENT_TYPE_PROTOBUF = "application/protobuf"

# Present on every event record.
REQUIRED: tuple[str, ...] = (SPECVERSION, ID, SOURCE, TYPE, TIME, SUBJECT, CONTENT_TYPE)
# Every header an event record may carry, in the order the catalogue lists them.
ALL: tuple[str, ...] = (
    *REQUIRED,
    COMMUNITY_ID,
    SEQUENCE,
    ACTOR_ID,
    CORRELATION_ID,
    CAUSATION_ID,
    KEY_SEQUENCE,
    TRACEPARENT,
)

# Added to a record sent to `<topic>.dlq`, beside its original headers.
DLQ_ERROR = "dlq_error"  # the error message
DLQ_ERROR_TYPE = "dlq_error_type"  # the exception class name
DLQ_TOPIC = "dlq_topic"  # where the record was read from
DLQ_PARTITION = "dlq_partition"
DLQ_OFFSET = "dlq_offset"
DLQ_CONSUMER_GROUP = "dlq_consumer_group"  # who failed to handle it
DLQ_ATTEMPTS = "dlq_attempts"  # how many times handling was tried
DLQ_ALL: tuple[str, ...] = (
    DLQ_ERROR,
    DLQ_ERROR_TYPE,
    DLQ_TOPIC,
    DLQ_PARTITION,
    DLQ_OFFSET,
    DLQ_CONSUMER_GROUP,
    DLQ_ATTEMPTS,
)
