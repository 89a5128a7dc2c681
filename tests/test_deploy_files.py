"""No Docker engine runs where this suite runs, so the compose file and the Dockerfiles are
checked for structure: every service is there, built from its own Dockerfile, configured only
by environment, health-checked over gRPC, and started after Kafka, MongoDB and the topics."""

import re
import sys
from pathlib import Path

import yaml
from community_contracts import services

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = {s.short_name: s for s in services.ALL}


def test_compose_runs_kafka_mongodb_topics_and_every_service():
    assert set(COMPOSE["services"]) >= {"kafka", "mongodb", "topics", *SERVICES}


def test_compose_kafka_is_the_version_make_up_assembles():
    pom = (ROOT / "deploy/local/kafka/pom.xml").read_text()
    version = re.search(r"<kafka.version>(.+)</kafka.version>", pom).group(1)
    assert COMPOSE["services"]["kafka"]["image"] == f"apache/kafka:{version}"
    env = COMPOSE["services"]["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"


def test_every_infrastructure_container_has_a_healthcheck():
    for name in ("kafka", "mongodb"):
        assert COMPOSE["services"][name]["healthcheck"]["test"]
    assert COMPOSE["services"]["mongodb"]["image"].startswith("mongo:7")


def test_each_service_is_built_alone_configured_by_env_and_health_checked():
    for name, svc in SERVICES.items():
        spec = COMPOSE["services"][name]
        dockerfile = spec["build"]["dockerfile"]
        assert dockerfile == f"services/{name}/Dockerfile"
        assert (ROOT / dockerfile).exists()
        env = spec["environment"]
        assert {"KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "COMMUNITY_AUTH_HS256_SECRET"} <= set(env)
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["MONGODB_URI"].startswith("mongodb://mongodb:")
        # The insights API also serves the web dashboard (SPEC §7, INSIGHTS_HTTP_PORT 50080).
        dashboard = ["50080:50080"] if name == "insights" else []
        assert spec["ports"] == [f"{svc.default_port}:{svc.default_port}", *dashboard]
        assert "community_common.healthcheck" in spec["healthcheck"]["test"]
        assert spec["depends_on"] == {
            "kafka": {"condition": "service_healthy"},
            "mongodb": {"condition": "service_healthy"},
            "topics": {"condition": "service_completed_successfully"},
        }


def test_every_process_make_up_starts_runs_in_compose_too():
    sys.path.insert(0, str(ROOT / "deploy/local"))
    import stack

    for name, argv in stack.SERVICE_PROCESSES.items():
        spec = COMPOSE["services"][name]
        assert spec["build"]["dockerfile"] == f"services/{name.split('-')[0]}/Dockerfile"
        assert spec.get("command", ["python", *argv]) == ["python", *argv]


def test_topics_step_creates_the_topics_from_the_contracts():
    assert COMPOSE["services"]["topics"]["command"][-1] == "community_common.topics_init"


def test_dockerfiles_install_only_their_service_and_run_it_on_its_port():
    for name, svc in SERVICES.items():
        text = (ROOT / f"services/{name}/Dockerfile").read_text()
        assert text.startswith("#") and "FROM python:3.11" in text
        assert f"uv sync --frozen --no-dev --package community-{name}" in text
        assert f"EXPOSE {svc.default_port}" in text
        assert f'CMD ["python", "-m", "{name}"]' in text
        assert "community_common.healthcheck" in text


def test_the_insights_image_carries_the_dashboards_chart_library_from_npms_lock():
    text = (ROOT / "services/insights/Dockerfile").read_text()
    # No CDN where the dashboard runs: the library is installed at build time, as pinned.
    assert "npm ci" in text and "package-lock.json" in text
    assert "dashboard/assets/vendor/echarts.min.js" in text
    assert "INSIGHTS_HTTP_PORT=50080" in text and "EXPOSE 50054 50080" in text
