"""The Java frontend's lowering of real-shaped Java (the Android app before 2021, the Metrics
Platform Java client) into file facts."""

from __future__ import annotations

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Call,
    ClassRef,
    Concat,
    Cond,
    Func,
    Lit,
    Member,
    MemberAssign,
    Ref,
    This,
)
from analyzer.frontends import frontend_for
from analyzer.frontends.java import JavaFrontend
from analyzer.symbols import FileSymbols


def java(code: str):
    return JavaFrontend().lower("app/src/main/java/org/wikipedia/analytics/Demo.java", code.encode())


def class_named(facts, name: str):
    return next(c for c in facts.classes if c.name == name)


def scope_named(facts, name: str):
    return next(s for s in facts.scopes if s.name == name)


def calls_named(facts, name: str) -> list:
    return [c for c in facts.calls if getattr(c.callee, "prop", getattr(c.callee, "name", None)) == name]


def test_claims_java_sources():
    assert isinstance(frontend_for("app/src/main/java/org/wikipedia/analytics/Funnel.java"), JavaFrontend)
    assert not isinstance(frontend_for("app/src/main/java/org/wikipedia/analytics/Funnel.kt"), JavaFrontend)


FUNNEL = """
package org.wikipedia.analytics;

import androidx.annotation.NonNull;
import org.wikipedia.WikipediaApp;
import org.wikipedia.page.PageTitle;
import static org.wikipedia.settings.Prefs.isEventLoggingEnabled;

@SuppressWarnings(value = "unused")
public class EditFunnel extends Funnel implements Loggable {
    private static final String SCHEMA_NAME = "MobileWiki" + "AppEdit";
    private static final int REV_ID = 0x13C0A52;
    private static final long LIMIT = 100L;
    private final PageTitle title;
    private String source = "unknown";

    public EditFunnel(@NonNull WikipediaApp app, PageTitle title) {
        super(app, SCHEMA_NAME, REV_ID, title.getWikiSite());
        this.title = title;
    }

    public void logSaved(long revision) {
        if (isEventLoggingEnabled()) {
            log("action", "saved", "revID", revision, "source", source);
        }
    }
}
"""


def test_package_imports_and_static_imports():
    facts = java(FUNNEL)
    assert facts.scopes[0].name == "org.wikipedia.analytics"
    imports = {b.name: b.value for b in facts.bindings if b.kind == "import"}
    assert imports["WikipediaApp"] == ClassRef("org.wikipedia.WikipediaApp")
    assert imports["isEventLoggingEnabled"] == Member(ClassRef("org.wikipedia.settings.Prefs"), "isEventLoggingEnabled")
    assert all(b.scope == MODULE_SCOPE for b in facts.bindings if b.kind == "import")


def test_class_constants_fields_annotations_and_super_call():
    facts = java(FUNNEL)
    funnel = class_named(facts, "org.wikipedia.analytics.EditFunnel")
    assert (funnel.kind, funnel.parent, funnel.interfaces) == ("class", "Funnel", ("Loggable",))
    assert funnel.constants == (
        ("SCHEMA_NAME", Concat((Lit("MobileWiki"), Lit("AppEdit")), "concatenation")),
        ("REV_ID", Lit(20712018)),
        ("LIMIT", Lit(100)),
    )
    assert funnel.properties == (("title", Lit(None)), ("source", Lit("unknown")))
    assert ("title", "org.wikipedia.page.PageTitle") in funnel.property_types
    assert funnel.annotations == (("SuppressWarnings", (Lit("unused"),)),)
    constructor = scope_named(facts, "EditFunnel.constructor")
    assert constructor.params == ("app", "title")
    assert ("constructor", constructor.id) in funnel.methods  # chosen by arity when it is called
    assert constructor.param_types == (("app", "org.wikipedia.WikipediaApp"), ("title", "org.wikipedia.page.PageTitle"))
    # `super(…)` is lowered in the constructor's scope: its names are that constructor's parameters.
    assert funnel.super_args == (
        Ref("app", constructor.id),
        Ref("SCHEMA_NAME", constructor.id),
        Ref("REV_ID", constructor.id),
        Call(Member(Ref("title", constructor.id), "getWikiSite")),
    )
    assert FileSymbols(facts).lookup("SCHEMA_NAME", constructor.id).values == (funnel.constants[0][1],)
    assert facts.member_assigns == (
        MemberAssign(Member(This(funnel.name), "title"), Ref("title", constructor.id), constructor.id, 19),
    )


def test_methods_and_bare_calls():
    facts = java(FUNNEL)
    funnel = class_named(facts, "org.wikipedia.analytics.EditFunnel")
    saved = scope_named(facts, "EditFunnel.logSaved")
    assert dict(funnel.methods)["logSaved"] == saved.id and saved.cls == funnel.name
    log = calls_named(facts, "log")[0]
    assert log.callee == Ref("log", saved.id)
    assert log.args[:2] == (Lit("action"), Lit("saved")) and log.args[3] == Ref("revision", saved.id)


def test_enums_with_constructor_arguments_and_nested_classes():
    facts = java(
        """
package org.wikipedia.analytics;

public class Streams {
    public enum Channel implements Named {
        DONATE("app_donor_experience", 1),
        GAMES("app_game_interaction", 2);

        private final String stream;

        Channel(String stream, int id) {
            this.stream = stream;
        }
    }

    interface Named {
        String PREFIX = "app_";
    }

    static Object pick() {
        return Streams.Channel.DONATE;
    }
}
"""
    )
    channel = class_named(facts, "org.wikipedia.analytics.Streams.Channel")
    assert channel.kind == "enum" and channel.interfaces == ("org.wikipedia.analytics.Streams.Named",)
    assert channel.constants == (
        ("DONATE", Call(ClassRef(channel.name), (Lit("app_donor_experience"), Lit(1)), new=True)),
        ("GAMES", Call(ClassRef(channel.name), (Lit("app_game_interaction"), Lit(2)), new=True)),
    )
    named = class_named(facts, "org.wikipedia.analytics.Streams.Named")
    assert named.kind == "interface" and named.constants == (("PREFIX", Lit("app_")),)
    assert scope_named(facts, "Streams.pick").returns == (Member(ClassRef(channel.name), "DONATE"),)


def test_object_creation_method_chains_and_expressions():
    facts = java(
        """
package org.wikimedia.metrics_platform.demo;

import org.wikimedia.metrics_platform.MetricsClient;

public final class DemoInstrument {
    private static final String STREAM = "android.metrics_platform_demo";

    void send(boolean on, String[] names) {
        MetricsClient client = MetricsClient.builder(new ClientData("android"))
            .isDebug(on)
            .build();
        client.submitInteraction(STREAM, on ? "a" : "b", new Interaction(), names[0], 'c', 1.5, 017, null, true);
        String block = \"\"\"
            hi\"\"\";
        Runnable later = () -> client.flush();
    }
}
"""
    )
    submit = calls_named(facts, "submitInteraction")[0]
    scope = scope_named(facts, "DemoInstrument.send").id
    assert submit.callee == Member(Ref("client", scope), "submitInteraction")
    assert submit.args[:2] == (Ref("STREAM", scope), Cond((Lit("a"), Lit("b"))))
    assert submit.args[2] == Call(Ref("Interaction", scope), (), new=True)
    assert submit.args[4:] == (Lit("c"), Lit(1.5), Lit(15), Lit(None), Lit(True))
    creation = next(c for c in facts.calls if c.new)
    assert creation.callee == Ref("ClientData", scope)
    build = calls_named(facts, "build")[0]
    assert (build.span.line, build.snippet) == (12, "build()")
    builder = FileSymbols(facts).lookup("client", scope).values[0]
    assert builder.callee.obj.callee.obj == Call(
        Member(ClassRef("org.wikimedia.metrics_platform.MetricsClient"), "builder"),
        (Call(Ref("ClientData", scope), (Lit("android"),), new=True),),
    )
    assert [b.value for b in facts.bindings if b.name == "block"] == [Lit("\n            hi")]
    later = next(s for s in facts.scopes if s.name and s.name.startswith("<lambda"))
    assert [b.value for b in facts.bindings if b.name == "later"] == [Func(later.id)]
    assert later.returns == (Call(Member(Ref("client", later.id), "flush")),)


def test_anonymous_classes_get_a_scope_and_arrays_lower():
    facts = java(
        """
package org.wikipedia.page;

class PageActivity {
    static final String[] STREAMS = {"a", "b"};

    void register() {
        button.setOnClickListener(new OnClickListener() {
            public void onClick(View v) {
                track(this);
            }
        });
    }
}
"""
    )
    page = class_named(facts, "org.wikipedia.page.PageActivity")
    assert page.constants == (("STREAMS", Arr((Lit("a"), Lit("b")))),)
    anonymous = next(s for s in facts.scopes if s.name and s.name.startswith("<object@"))
    on_click = next(s for s in facts.scopes if s.parent == anonymous.id)
    assert on_click.name == "onClick" and on_click.params == ("v",)
    track = calls_named(facts, "track")[0]
    assert track.args == (This(None),)  # `this` is the anonymous listener
    assert facts.classes == (page,)


def test_syntax_errors_are_reported_and_the_rest_is_lowered():
    facts = java(
        """
package org.wikipedia.analytics;

class Broken {
    void a() { int x = ; }
    void b() { EventLoggingService.getInstance().log(data); }
}
"""
    )
    assert [p.code for p in facts.problems] == ["parse-error"]
    get_instance = Call(Member(Ref("EventLoggingService", scope_named(facts, "Broken.b").id), "getInstance"))
    assert calls_named(facts, "log")[0].callee.obj == get_instance
