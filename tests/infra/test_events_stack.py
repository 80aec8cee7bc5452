"""payrail's event bus in the CDK stack: an archive of payrail's events, and only the outbox's
consumer may put events on it; the outbox's stream is retried (nearly) without end."""
import json

from infra import catalog
from payrail.core.events import EVENT_SOURCE


def test_the_bus_has_an_archive_of_payrails_events(synth):
    tpl, template, _ = synth
    template.has_resource_properties("AWS::Events::EventBus", {"Name": catalog.EVENT_BUS.name})
    template.has_resource_properties("AWS::Events::Archive", {
        "ArchiveName": catalog.EVENT_BUS.archive_name, "EventPattern": {"source": [EVENT_SOURCE]},
        "RetentionDays": catalog.EVENT_BUS.archive_retention_days})


def test_only_the_outbox_consumer_puts_events_and_its_stream_is_retried(synth):
    tpl, _, _ = synth
    putters = {name for name, r in tpl["Resources"].items() if r["Type"] == "AWS::IAM::Policy"
               for st in r["Properties"]["PolicyDocument"]["Statement"] if "events:PutEvents" in json.dumps(st["Action"])
               and "eventbus" in json.dumps(st["Resource"])}
    assert len(putters) == 1 and next(iter(putters)).startswith("eventsrole")
    mappings = [r["Properties"] for r in tpl["Resources"].values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    events_stream = [m for m in mappings if "eventstable" in json.dumps(m["EventSourceArn"])]
    assert [(m["MaximumRetryAttempts"], m["ParallelizationFactor"]) for m in events_stream] == [
        (catalog.FUNCTIONS["events"].stream.retry_attempts, catalog.FUNCTIONS["events"].stream.parallelization)]
    assert catalog.FUNCTIONS["events"].stream.retry_attempts >= 10_000
