"""The rule data the apps' resolution reads: the spec fields it adds are loaded into the specs the
resolver uses, and malformed uses of them are rejected with the rule and field named."""

from __future__ import annotations

import pytest

from analyzer.ruleset import (
    ClassAnnotation,
    ConstructorParam,
    RuleError,
    ValueSpec,
    load_rules,
    load_rules_with,
)


def rule(rule_id: str):
    return next(r for r in load_rules().apis if r.id == rule_id)


def test_event_platform_submit_reads_the_event_class():
    submit = rule("EventPlatformClient.submit")
    assert submit.name.constructor_param == ConstructorParam("org.wikipedia.analytics.eventplatform.Event", "stream")
    assert submit.schema.class_annotation == ClassAnnotation("SerialName", 0)
    assert submit.helper_calls


def test_legacy_funnel_reads_the_funnel_the_call_runs_in():
    log = rule("Funnel#log")
    assert log.match.in_class == "Funnel"
    assert log.name.constructor_param == ConstructorParam("Funnel", "schemaName", of_this=True)


def test_a_list_of_schema_specs_is_tried_in_order():
    submit = rule("EventPlatformClient.shared.submit(stream:event:)")
    assert [s.named for s in submit.schema.first_of] == [("schema",), ("event",)]
    assert submit.schema.first_of[1].class_member == "schema"
    assert submit.name.implicit_type == "EventPlatformClient.Stream"


def test_test_kitchen_handles_are_built_further_and_carry_library_constants():
    get = rule("TestKitchenAdapter.client.getInstrument")
    assert {"startFunnel", "setExperiment"} <= get.fluent
    assert get.stream == ValueSpec(constant="org.wikimedia.testkitchen.TestKitchenClient.STREAM_APP_BASE",
                                   default="product_metrics.app_base")
    assert rule("InstrumentImpl#submitInteraction.byReceiver").name.from_handle


def test_eventgate_posts_need_evidence():
    post = rule("EventGate HTTP POST")
    payload, url = post.match.evidence
    assert payload.named == ("json", "data") and payload.keys == ("$schema", "meta.stream")
    assert url.pattern.search("https://intake-analytics.wikimedia.org/v1/events")
    assert not url.pattern.search("https://upload.example.org/api/files")


def custom(api: dict) -> dict:
    return {"apis/custom.yaml": {"languages": ["kotlin"], "apis": [{"id": "X.send", "family": "event-platform-submit",
                                                                     "match": {"callee": ["X.send"]}, **api}]}}


@pytest.mark.parametrize(
    "api, message",
    [
        ({"name": {"arg": 0, "constructor_param": {"class": "Event"}}}, "param"),
        ({"name": {"arg": 0, "constructor_param": {"class": "Event", "param": "s", "object": "self"}}}, "self"),
        ({"name": {"arg": 0}, "match": {"method": ["post"], "evidence": [{"named": "json"}]}}, "evidence"),
        ({"name": {"arg": 0}, "schema": {"arg": 0, "class_annotation": {"arg": 0}}}, "apis/0/schema"),
    ],
)
def test_malformed_app_specs_are_rejected(api, message):
    with pytest.raises(RuleError, match=message):
        load_rules_with(custom(api))


def test_fluent_methods_need_a_returned_handle():
    with pytest.raises(RuleError, match="fluent needs returns"):
        load_rules_with(custom({"name": {"arg": 0}, "fluent": ["startFunnel"]}))
