"""The rebuild writes the tables' changelogs itself: its records must be byte for byte what
the worker's Faust tables write (a worker recovers its tables from them), on the partition
of the key's community."""

from insights.domain.ledger import ROLES, ROSTERS, role_target, roster_target
from insights.engagement.tables import TABLES
from insights.partitions import partition_of
from insights.rebuild import changelog_record, changelog_topic


def test_changelog_records_are_what_faust_writes():
    value = {
        "marks": {"membership": 3},
        "opened": True,
        "headcounts": {"": 52, "g.1": 7},
        "closed_groups": [],
        "version": 3,
        "as_of": "2026-12-07T10:00:00.000000+00:00",
    }
    for target in (roster_target("c-1"), role_target("c-1", "$odd.user")):
        topic = TABLES[target.table].changelog_topic
        faust_key, _ = topic.prepare_key(target.key, None)
        faust_value, _ = topic.prepare_value(value, None)
        assert changelog_record(target.key, value) == (faust_key, faust_value)


def test_changelog_topics_and_partitions_are_the_tables():
    for table in (ROSTERS, ROLES):
        assert TABLES[table].changelog_topic.get_topic_name() == changelog_topic(
            TABLES[table].app.conf.id, table
        )
    key = role_target("c-9", "u").key
    assert TABLES[ROLES].partition_for_key(key) == partition_of("c-9", TABLES[ROLES].partitions)
