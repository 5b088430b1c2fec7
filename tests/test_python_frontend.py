"""The Python frontend's lowering of real-shaped Python (tools and services) into file facts."""

from __future__ import annotations

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Call,
    ClassRef,
    Concat,
    Cond,
    Func,
    GlobalRef,
    Index,
    Lit,
    Member,
    MemberAssign,
    Obj,
    Ref,
    Require,
    This,
    Unknown,
)
from analyzer.frontends import frontend_for
from analyzer.frontends.python import PythonFrontend

PATH = "demo_tool/events.py"


def python(code: str):
    return PythonFrontend().lower(PATH, code.encode())


def value_of(facts, name: str):
    """The value of the last binding of `name`."""
    return [b.value for b in facts.bindings if b.name == name][-1]


def scope_named(facts, name: str):
    return next(s for s in facts.scopes if s.name == name)


def call_to(facts, prop: str):
    return next(c for c in facts.calls if isinstance(c.callee, Member) and c.callee.prop == prop)


def test_claims_python_files():
    frontend = frontend_for("demo_tool/events.py")
    assert frontend is not None and frontend.language == "python"
    assert frontend.lower(PATH, b"statsd.incr( 'x' )\n") == PythonFrontend().lower(PATH, b"statsd.incr( 'x' )\n")
    assert frontend_for("demo_tool/events.pyc") is None
    assert not isinstance(frontend_for("demo_tool/events.pyc"), PythonFrontend)


def test_imports_name_modules_by_their_dotted_path():
    facts = python(
        """
import requests
import statsd as sd
import os.path
from statsd import StatsClient as Client
from .config import EVENTGATE_URL
from ..common.settings import STREAM
from . import schemas
"""
    )
    assert value_of(facts, "requests") == GlobalRef("requests")
    assert value_of(facts, "sd") == GlobalRef("statsd")
    assert value_of(facts, "os") == GlobalRef("os")
    assert value_of(facts, "Client") == GlobalRef("statsd.StatsClient")
    assert value_of(facts, "EVENTGATE_URL") == Member(Require("./config", PATH), "EVENTGATE_URL")
    assert value_of(facts, "STREAM") == Member(Require("../common/settings", PATH), "STREAM")
    assert value_of(facts, "schemas") == Member(Require(".", PATH), "schemas")
    assert {b.kind for b in facts.bindings} == {"import"}


def test_event_payload_dicts_and_keyword_arguments():
    facts = python(
        """
SCHEMA = "/analytics/mediawiki/demo/1.0.0"

def send(action, wiki):
    event = {"$schema": SCHEMA, "meta": {"stream": "mediawiki.demo", "domain": wiki}, **extra}
    requests.post(EVENTGATE_URL, json=event, timeout=5)
    payload = dict(schema="Demo", revision=123)
"""
    )
    send = scope_named(facts, "send").id
    assert value_of(facts, "event") == Obj(
        (
            ("$schema", Ref("SCHEMA", send)),
            ("meta", Obj((("stream", Lit("mediawiki.demo")), ("domain", Ref("wiki", send))))),
        ),
        (Ref("extra", send),),
    )
    post = call_to(facts, "post")
    assert post.callee == Member(Ref("requests", send), "post")
    assert post.args == (Ref("EVENTGATE_URL", send),)
    assert post.named == (("json", Ref("event", send)), ("timeout", Lit(5)))
    assert value_of(facts, "payload") == Obj((("schema", Lit("Demo")), ("revision", Lit(123))))


def test_static_string_building():
    facts = python(
        """
def metric_names(wiki, status, ms):
    a = f"requests.{status}.count"
    b = "demo.%s.%d" % (wiki, 3)
    c = "demo.%(wiki)s" % {"wiki": wiki}
    d = "demo.{}.{name}".format(wiki, name="q")
    e = ".".join(["demo", wiki, "done"])
    f = "ios." + "demo" "_suffix"
    g = f"{ms:.2f}ms"
    h = "%05d" % ms
    i = rf"raw\\n{wiki}"
    j = f"tab\\t{{literal}}"
    k = str(wiki) or "none"
"""
    )
    scope = scope_named(facts, "metric_names").id
    wiki, status = Ref("wiki", scope), Ref("status", scope)
    assert value_of(facts, "a") == Concat((Lit("requests."), status, Lit(".count")), "template-literal")
    assert value_of(facts, "b") == Concat((Lit("demo."), wiki, Lit(".3")), "interpolation")
    assert value_of(facts, "c") == Concat((Lit("demo."), wiki), "interpolation")
    assert value_of(facts, "d") == Concat((Lit("demo."), wiki, Lit(".q")), "interpolation")
    assert value_of(facts, "e") == Concat((Lit("demo."), wiki, Lit(".done")), "concatenation")
    assert value_of(facts, "f") == Lit("ios.demo_suffix")
    assert value_of(facts, "g") == Concat((Unknown("formatted value"), Lit("ms")), "template-literal")
    assert value_of(facts, "h") == Unknown("formatted value")
    assert value_of(facts, "i") == Concat((Lit("raw\\n"), wiki), "template-literal")  # raw: no escapes
    assert value_of(facts, "j") == Lit("tab\t{literal}")
    assert value_of(facts, "k") == Cond((wiki, Lit("none")))


def test_classes_methods_and_receivers():
    facts = python(
        """
class StatsdCollector(MetricsCollector, Loggable, metaclass=Meta):
    PREFIX = "ores"
    client: "statsd.StatsClient"

    def __init__(self, statsd_client):
        self.statsd_client = statsd_client

    @classmethod
    def from_config(cls, host):
        return cls(StatsClient(host))

    @staticmethod
    def helper(self):
        return self

    def send(self, name):
        def inner(self2):
            return self.PREFIX
        with self.statsd_client.pipeline() as pipe:
            pipe.incr(name)
"""
    )
    cls = facts.classes[0]
    assert (cls.name, cls.parent, cls.interfaces) == ("StatsdCollector", "MetricsCollector", ("Loggable",))
    assert cls.properties == (("PREFIX", Lit("ores")),)
    assert cls.property_types == (("client", "statsd.StatsClient"),)
    assert [m for m, _ in cls.methods] == ["__init__", "from_config", "helper", "send"]
    init = scope_named(facts, "StatsdCollector.__init__")
    # Methods see the module, not the class body.
    assert init.parent == MODULE_SCOPE and init.cls == "StatsdCollector"
    assert facts.member_assigns == (
        MemberAssign(Member(This("StatsdCollector"), "statsd_client"), Ref("statsd_client", init.id), init.id, 7),
    )
    from_config = scope_named(facts, "StatsdCollector.from_config")
    client = Call(Ref("StatsClient", from_config.id), (Ref("host", from_config.id),))
    assert from_config.returns == (Call(ClassRef("StatsdCollector"), (client,)),)
    helper = scope_named(facts, "StatsdCollector.helper")
    assert helper.returns == (Ref("self", helper.id),)  # a staticmethod has no receiver
    inner = scope_named(facts, "inner")
    assert inner.returns == (Member(This("StatsdCollector"), "PREFIX"),)
    send = scope_named(facts, "StatsdCollector.send")
    assert value_of(facts, "pipe") == Call(Member(Member(This("StatsdCollector"), "statsd_client"), "pipeline"))
    assert call_to(facts, "incr").callee == Member(Ref("pipe", send.id), "incr")


def test_parameters_defaults_annotations_and_globals():
    facts = python(
        """
STREAM = "a"

def top(client: statsd.StatsClient, name="x", *args, flag=False, **kwargs):
    global STREAM
    STREAM = "b"
    counter = 0
    counter += 1
    x, (y, z) = 1, ("two", 3)
    for item in ["p", "q"]:
        pass
    return lambda v: v + name
"""
    )
    scope = scope_named(facts, "top")
    assert scope.params == ("client", "name", "...args", "flag", "**kwargs")
    assert scope.param_types == (("client", "statsd.StatsClient"),)
    defaults = {b.name: b.value for b in facts.bindings if b.kind == "param" and b.scope == scope.id}
    assert defaults == {"client": None, "name": Lit("x"), "args": None, "flag": Lit(False), "kwargs": None}
    assert [(b.scope, b.value) for b in facts.bindings if b.name == "STREAM"] == [
        (MODULE_SCOPE, Lit("a")),
        (MODULE_SCOPE, Lit("b")),
    ]
    assert value_of(facts, "counter") == Unknown("changed by an augmented assignment")
    pair = Arr((Lit(1), Arr((Lit("two"), Lit(3)))))
    assert value_of(facts, "z") == Index(Index(pair, Lit(1)), Lit(1))
    assert value_of(facts, "item") == Cond((Lit("p"), Lit("q")))
    lam = scope_named(facts, "<lambda@12>")
    assert scope.returns == (Func(lam.id),)
    assert lam.parent == scope.id
    assert lam.returns == (Concat((Ref("v", lam.id), Ref("name", lam.id)), "concatenation"),)


def test_decorators_and_defaults_are_evaluated_where_the_function_is_defined():
    facts = python(
        """
@stats.timer("handler.duration")
def handle(request, key=make_key()):
    stats.incr("handled")
"""
    )
    timer, make_key, incr = facts.calls
    handle = scope_named(facts, "handle").id
    assert (timer.callee, timer.args, timer.scope) == (
        Member(Ref("stats", MODULE_SCOPE), "timer"), (Lit("handler.duration"),), MODULE_SCOPE,
    )
    assert make_key.scope == MODULE_SCOPE
    assert incr.scope == handle
    assert (timer.span.line, timer.span.column) == (2, 2)


def test_call_spans_and_snippets():
    facts = python(
        """
def f():
    client.getInstrument("apps-open").submitInteraction(
        "click",
    )
"""
    )
    get, submit = facts.calls[1], facts.calls[0]
    assert get.callee.prop == "getInstrument" and submit.callee.prop == "submitInteraction"
    assert (submit.span.line, submit.span.column, submit.span.end_line) == (3, 39, 5)
    assert (get.span.line, get.span.column, get.span.end_line, get.span.end_column) == (3, 5, 3, 38)
    assert submit.snippet == 'client.getInstrument("apps-open").submitInteraction('


def test_exports_are_module_level_names():
    facts = python(
        """
import json
STREAM = "s"
def send(): pass
class Sender: pass
"""
    )
    assert [name for name, _ in facts.exports] == ["json", "STREAM", "send", "Sender"]
    assert dict(facts.exports)["STREAM"] == Ref("STREAM", MODULE_SCOPE)


def test_broken_top_level_blocks_are_skipped_and_reported():
    facts = python(
        """import statsd

stats = statsd.StatsClient()


def old():
    print "python 2"
    stats.incr("old.metric")


@decorated
def fine():
    stats.incr("ok.metric")
"""
    )
    assert [p.code for p in facts.problems] == ["parse-error"]
    assert facts.problems[0].span.line == 6
    assert [c.args for c in facts.calls if isinstance(c.callee, Member) and c.callee.prop == "incr"] == [
        (Lit("ok.metric"),)
    ]
    assert call_to(facts, "incr").span.line == 13  # line numbers are those of the file


def test_a_file_that_does_not_parse_at_all_is_reported():
    facts = python("def broken(:\n    pass\n")
    assert [p.code for p in facts.problems] == ["parse-error"]
    assert facts.calls == ()


def test_newer_syntax_parses():
    facts = python(
        """
type Metric = str

def first[T](items: list[T]) -> T:
    stats.incr(f"{'nested'}.metric")
    return items[0]
"""
    )
    assert facts.problems == ()
    assert call_to(facts, "incr").args == (Lit("nested.metric"),)


def test_form_feeds_do_not_shift_lines():
    facts = python('import statsd\n\x0c\nstats = statsd.StatsClient()\n\ndef f():\n    stats.incr("a.b")\n')
    incr = call_to(facts, "incr")
    assert (incr.span.line, incr.snippet) == (6, 'stats.incr("a.b")')
