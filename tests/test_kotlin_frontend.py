"""The Kotlin frontend's lowering of real-shaped Kotlin (Wikipedia Android app) into file facts."""

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
    Ref,
    This,
    Unknown,
)
from analyzer.frontends import frontend_for
from analyzer.frontends.kotlin import KotlinFrontend
from analyzer.symbols import FileSymbols

PACKAGE = "org.wikipedia.analytics.eventplatform"


def kotlin(code: str, path: str = "app/src/main/java/org/wikipedia/analytics/eventplatform/Demo.kt"):
    return KotlinFrontend().lower(path, code.encode())


def class_named(facts, name: str):
    return next(c for c in facts.classes if c.name == name)


def scope_named(facts, name: str):
    return next(s for s in facts.scopes if s.name == name)


def calls_to(facts, prop: str) -> list:
    return [c for c in facts.calls if isinstance(c.callee, Member) and c.callee.prop == prop]


def binding(facts, name: str, scope: int | None = None):
    return [b for b in facts.bindings if b.name == name and (scope is None or b.scope == scope)][-1]


def test_claims_kotlin_sources_only():
    assert isinstance(frontend_for("app/src/main/java/org/wikipedia/page/PageActivity.kt"), KotlinFrontend)
    assert not isinstance(frontend_for("build.gradle.kts"), KotlinFrontend)  # build scripts send nothing
    assert not isinstance(frontend_for("app/src/main/java/org/wikipedia/Foo.java"), KotlinFrontend)


# --- names -----------------------------------------------------------------------------------


def test_package_names_the_module_scope_and_imports_become_bindings():
    facts = kotlin(
        """
package org.wikipedia.page

import org.wikipedia.analytics.eventplatform.EventPlatformClient
import org.wikimedia.testkitchen.TestKitchenClient.Companion.STREAM_APP_BASE
import org.wikipedia.util.log.L
import org.wikipedia.extensions.instrument
import org.wikipedia.analytics.eventplatform.BreadCrumbLogEvent as Crumbs
import kotlinx.coroutines.flow.*
"""
    )
    assert facts.scopes[0].name == "org.wikipedia.page"
    imports = {b.name: b.value for b in facts.bindings if b.kind == "import"}
    assert imports == {
        "EventPlatformClient": ClassRef("org.wikipedia.analytics.eventplatform.EventPlatformClient"),
        "STREAM_APP_BASE": Member(ClassRef("org.wikimedia.testkitchen.TestKitchenClient"), "STREAM_APP_BASE"),
        "L": ClassRef("org.wikipedia.util.log.L"),
        "instrument": GlobalRef("org.wikipedia.extensions.instrument"),
        "Crumbs": ClassRef("org.wikipedia.analytics.eventplatform.BreadCrumbLogEvent"),
    }
    assert all(b.scope == MODULE_SCOPE for b in facts.bindings)


def test_known_classes_lower_to_qualified_class_refs_and_their_calls_construct():
    facts = kotlin(
        f"""
package {PACKAGE}

import org.wikipedia.WikipediaApp

class Outer {{
    class Inner(val x: String)

    fun build() {{
        EventPlatformClient.submit(Inner(WikipediaApp.instance.name))
        Outer.Inner("b")
        helper("c")
        Card("d")
        AppInteractionEvent("e")
    }}
}}

fun helper(x: String) = x

@Composable
fun Card(text: String) {{ }}
"""
    )
    submit = calls_to(facts, "submit")[0]
    assert submit.callee == Member(Ref("EventPlatformClient", submit.scope), "submit")
    inner = submit.args[0]
    assert inner.callee == ClassRef(f"{PACKAGE}.Outer.Inner") and inner.new
    assert inner.args == (Member(Member(ClassRef("org.wikipedia.WikipediaApp"), "instance"), "name"),)
    by_callee = {c.snippet.split("(")[0]: c for c in facts.calls}
    assert by_callee["Outer.Inner"].callee == ClassRef(f"{PACKAGE}.Outer.Inner") and by_callee["Outer.Inner"].new
    assert not by_callee["helper"].new
    assert not by_callee["Card"].new  # a capitalised function of this file (Compose) builds nothing
    # A class of the same package declared in another file: kept by simple name, taken for a class.
    other = by_callee["AppInteractionEvent"]
    assert other.callee == Ref("AppInteractionEvent", other.scope) and other.new


# --- classes ---------------------------------------------------------------------------------


BREADCRUMB = f"""
package {PACKAGE}

import android.content.Context
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

@Suppress("unused")
@Serializable
@SerialName("/analytics/mobile_apps/android_breadcrumbs_event/1.1.0")
class BreadCrumbLogEvent(
    private val screen_name: String,
    private val action: String
) : MobileAppsEventWithTemp(STREAM_NAME), Loggable {{

    companion object {{
        private const val STREAM_NAME = "android.breadcrumbs_event"
        val RETRY_LIMIT = 3
        private val started = System.currentTimeMillis()

        fun logClick(context: Context, target: String = "button") {{
            EventPlatformClient.submit(BreadCrumbLogEvent(context.javaClass.simpleName, "$target.click"))
        }}
    }}
}}

@Suppress("unused")
@Serializable
class BreadCrumbTarget(val id: String)
"""


def test_class_records_header_companion_and_annotations():
    facts = kotlin(BREADCRUMB)
    crumb = class_named(facts, f"{PACKAGE}.BreadCrumbLogEvent")
    assert crumb.kind == "class"
    assert crumb.parent == "MobileAppsEventWithTemp"  # same package, another file
    assert crumb.interfaces == ("Loggable",)
    # The superclass argument is lowered in the class scope, where the companion constant is bound.
    assert crumb.super_args == (Ref("STREAM_NAME", crumb.scope),)
    assert FileSymbols(facts).lookup("STREAM_NAME", crumb.scope).values == (Lit("android.breadcrumbs_event"),)
    assert crumb.constants == (("STREAM_NAME", Lit("android.breadcrumbs_event")), ("RETRY_LIMIT", Lit(3)))
    assert ("started", Call(Member(Ref("System", crumb.scope), "currentTimeMillis"))) in crumb.properties
    # The annotations above this class are parsed as a separate statement by the grammar
    # (another annotated class follows); they still belong to the class.
    assert crumb.annotations == (
        ("Suppress", (Lit("unused"),)),
        ("Serializable", ()),
        ("SerialName", (Lit("/analytics/mobile_apps/android_breadcrumbs_event/1.1.0"),)),
    )
    assert class_named(facts, f"{PACKAGE}.BreadCrumbTarget").annotations == (
        ("Suppress", (Lit("unused"),)), ("Serializable", ()),
    )


def test_primary_constructor_parameters_are_the_class_scope_params_and_properties():
    facts = kotlin(
        f"""
package {PACKAGE}

class AppInteractionEvent(
    private val action: String,
    private val active_interface: String,
    private val action_data: String,
    private val primary_language: String,
    private val wiki_id: String,
    @Transient private val streamName: String = "",
    platform: String = "android",
) : MobileAppsEventWithTemp(streamName)
"""
    )
    event = class_named(facts, f"{PACKAGE}.AppInteractionEvent")
    scope = next(s for s in facts.scopes if s.id == event.scope)
    assert scope.params[5] == "streamName" and scope.params[6] == "platform"
    assert event.super_args == (Ref("streamName", event.scope),)
    lookup = FileSymbols(facts).lookup("streamName", event.scope)
    assert (lookup.kind, lookup.param_index) == ("param", 5)
    assert binding(facts, "streamName", event.scope).value == Lit("")  # the default
    assert ("streamName", "String") in event.property_types
    assert "platform" not in dict(event.properties)  # a plain parameter, not a property


def test_methods_including_companion_functions_are_named_after_their_class():
    facts = kotlin(BREADCRUMB)
    crumb = class_named(facts, f"{PACKAGE}.BreadCrumbLogEvent")
    log_click = scope_named(facts, "BreadCrumbLogEvent.logClick")
    assert dict(crumb.methods)["logClick"] == log_click.id
    assert log_click.cls == crumb.name
    assert log_click.params == ("context", "target")
    assert log_click.param_types == (("context", "android.content.Context"), ("target", "String"))
    assert binding(facts, "target", log_click.id).value == Lit("button")
    event = calls_to(facts, "submit")[0].args[0]
    assert event.args[1] == Concat((Ref("target", log_click.id), Lit(".click")), "template-literal")


def test_nested_sealed_object_and_enum_classes():
    facts = kotlin(
        f"""
package {PACKAGE}

sealed class AppSessionEvent(stream: String) : Event(stream) {{
    class Impl : AppSessionEvent("app_session")
    object Ping : AppSessionEvent("app_ping")
    data class Data(val x: Int = 1) : AppSessionEvent(STREAM)
}}

enum class Channel(val streamName: String) : Named {{
    DONATE("app_donor_experience"),
    GAMES("app_game_interaction");

    fun label() = streamName
}}

interface Named

object EventPlatformClient {{
    const val LIMIT = 10
    val FLUSH = "flush"
    fun submit(event: Event) {{ }}
}}
"""
    )
    kinds = {c.name.removeprefix(PACKAGE + "."): c.kind for c in facts.classes}
    assert kinds == {
        "AppSessionEvent": "sealed",
        "AppSessionEvent.Impl": "class",
        "AppSessionEvent.Ping": "object",
        "AppSessionEvent.Data": "class",
        "Channel": "enum",
        "Named": "interface",
        "EventPlatformClient": "object",
    }
    impl = class_named(facts, f"{PACKAGE}.AppSessionEvent.Impl")
    assert impl.parent == f"{PACKAGE}.AppSessionEvent" and impl.super_args == (Lit("app_session"),)
    channel = class_named(facts, f"{PACKAGE}.Channel")
    assert channel.interfaces == (f"{PACKAGE}.Named",)
    assert channel.constants == (
        ("DONATE", Call(ClassRef(f"{PACKAGE}.Channel"), (Lit("app_donor_experience"),), new=True)),
        ("GAMES", Call(ClassRef(f"{PACKAGE}.Channel"), (Lit("app_game_interaction"),), new=True)),
    )
    client = class_named(facts, f"{PACKAGE}.EventPlatformClient")
    assert client.constants == (("LIMIT", Lit(10)), ("FLUSH", Lit("flush")))  # an object's vals are static
    assert scope_named(facts, "AppSessionEvent.Impl").cls == impl.name


def test_secondary_constructor_super_call_gives_the_superclass_arguments():
    facts = kotlin(
        f"""
package {PACKAGE}

class LegacyEvent : Event {{
    constructor(stream: String, extra: Int) : super(stream)
    constructor(stream: String) : this(stream, 0)
}}
"""
    )
    legacy = class_named(facts, f"{PACKAGE}.LegacyEvent")
    constructor = scope_named(facts, "LegacyEvent.constructor")
    assert legacy.parent == "Event" and legacy.interfaces == ()
    assert legacy.super_args == (Ref("stream", constructor.id),)


def test_named_superclass_arguments_are_kept_by_name():
    facts = kotlin(
        f"""
package {PACKAGE}

class EditFunnel(app: App, title: PageTitle) : Funnel(app, SCHEMA_NAME, REV_ID, wiki = title.wikiSite)
"""
    )
    funnel = class_named(facts, f"{PACKAGE}.EditFunnel")
    assert funnel.super_args == (
        Ref("app", funnel.scope), Ref("SCHEMA_NAME", funnel.scope), Ref("REV_ID", funnel.scope),
    )
    assert funnel.super_named == (("wiki", Member(Ref("title", funnel.scope), "wikiSite")),)


# --- top level -------------------------------------------------------------------------------


def test_top_level_constants_are_defines_and_exports():
    facts = kotlin(
        """
package org.wikipedia.analytics

const val STREAM_PREFIX = "android."
private const val HIDDEN = "x"
val STREAM = STREAM_PREFIX + "daily_stats"

fun streamFor(name: String) = STREAM_PREFIX + name
"""
    )
    assert binding(facts, "STREAM_PREFIX").kind == "define"
    stream = Concat((Ref("STREAM_PREFIX", MODULE_SCOPE), Lit("daily_stats")), "concatenation")
    assert binding(facts, "STREAM").value == stream
    exported = dict(facts.exports)
    assert exported["STREAM_PREFIX"] == Ref("STREAM_PREFIX", MODULE_SCOPE)
    assert "HIDDEN" not in exported
    stream_for = scope_named(facts, "streamFor")
    assert exported["streamFor"] == Func(stream_for.id)
    assert stream_for.returns == (
        Concat((Ref("STREAM_PREFIX", stream_for.id), Ref("name", stream_for.id)), "concatenation"),
    )


def test_extension_property_is_exported_by_receiver_and_reading_it_runs_its_getter():
    facts = kotlin(
        """
package org.wikipedia.extensions

import android.content.Context
import org.wikipedia.activity.BaseActivity

val Context.instrument get(): InstrumentImpl? {
    return (this as? BaseActivity)?.getInstrument()
}
"""
    )
    getter = scope_named(facts, "Context.instrument")
    assert getter.cls == "android.content.Context"
    assert dict(facts.exports)["Context.instrument"] == Call(Func(getter.id))
    # `this as? BaseActivity` is the receiver seen as a BaseActivity (whose members it reads).
    assert getter.returns == (Call(Member(This("org.wikipedia.activity.BaseActivity"), "getInstrument")),)
    assert not [b for b in facts.bindings if b.name == "instrument"]


# --- expressions -----------------------------------------------------------------------------


def test_string_templates_escapes_and_raw_strings():
    facts = kotlin(
        r'''
package org.wikimedia.testkitchen

class TestKitchenClient {
    companion object {
        const val SCHEMA_APP_BASE_VERSION: String = "2.0.0"
        const val SCHEMA_APP_BASE: String = "/analytics/product_metrics/app/base/$SCHEMA_APP_BASE_VERSION"
        const val DETAIL = "a.${SCHEMA_APP_BASE.length}\t\$x"
        const val RAW = """x$SCHEMA_APP_BASE_VERSION\n"""
    }
}
'''
    )
    constants = dict(class_named(facts, "org.wikimedia.testkitchen.TestKitchenClient").constants)
    scope = class_named(facts, "org.wikimedia.testkitchen.TestKitchenClient").scope
    assert constants["SCHEMA_APP_BASE"] == Concat(
        (Lit("/analytics/product_metrics/app/base/"), Ref("SCHEMA_APP_BASE_VERSION", scope)), "template-literal"
    )
    assert constants["DETAIL"] == Concat(
        (Lit("a."), Member(Ref("SCHEMA_APP_BASE", scope), "length"), Lit("\t$x")), "template-literal"
    )
    assert constants["RAW"] == Concat((Lit("x"), Ref("SCHEMA_APP_BASE_VERSION", scope), Lit("\\n")), "template-literal")


def test_multi_dollar_strings_are_a_parse_problem_and_the_rest_still_lowers():
    facts = kotlin(
        """
package org.wikimedia.testkitchen.event

@Serializable
class Event {
    @SerialName($$"$schema") var schema: String = ""
    val template = $$"$literal $${interpolated}"
}

fun send(event: Event) {
    EventPlatformClient.submit(event)
}
"""
    )
    assert [p.code for p in facts.problems] == ["parse-error"]
    assert "multi-dollar" in facts.problems[0].message
    assert facts.problems[0].span.line == 6
    assert calls_to(facts, "submit")[0].snippet == "EventPlatformClient.submit(event)"
    properties = dict(class_named(facts, "org.wikimedia.testkitchen.event.Event").properties)
    assert properties["template"] == Unknown("multi-dollar string template")


def test_calls_with_named_mixed_and_trailing_lambda_arguments():
    facts = kotlin(
        f"""
package {PACKAGE}

fun demo(items: List<String>) {{
    AppInteractionEvent(action = "a", active_interface = "b", "c", "d", "e", streamName = "app_games")
    AppInteractionEvent("a", "b", "c", "d", "e", "app_places")
    items.forEach {{ item -> record(item) }}
    send("x") {{ it.length }}
}}
"""
    )
    named, positional = [c for c in facts.calls if c.snippet.startswith("AppInteractionEvent")]
    # A positional argument after named ones: those are in their own positions.
    assert named.args == (Lit("a"), Lit("b"), Lit("c"), Lit("d"), Lit("e"))
    assert named.named == (("action", Lit("a")), ("active_interface", Lit("b")), ("streamName", Lit("app_games")))
    assert positional.args[5] == Lit("app_places") and positional.named == ()
    for_each = calls_to(facts, "forEach")[0]
    lam = scope_named(facts, "<lambda@7>")
    assert for_each.args == (Func(lam.id),) and lam.params == ("item",)
    sends = [c for c in facts.calls if c.snippet.startswith("send")]
    assert len(sends) == 1  # `send(x) { … }` is one call with a trailing lambda
    it_lambda = scope_named(facts, "<lambda@8>")
    assert sends[0].args == (Lit("x"), Func(it_lambda.id))
    assert it_lambda.params == ("it",) and it_lambda.returns == (Member(Ref("it", it_lambda.id), "length"),)


def test_safe_calls_this_and_chained_call_spans():
    facts = kotlin(
        """
package org.wikipedia.feed

class HomeFragment {
    private val instrument = TestKitchenAdapter.client.getInstrument("apps-home-feed")

    fun onClick() {
        this.instrument.submitInteraction("click")
        context?.instrument?.submitInteraction("tap")
        TestKitchenAdapter.client.getInstrument("apps-open")
            .submitInteraction(action = "app_open")
    }
}
"""
    )
    this_call, safe_call, chained = calls_to(facts, "submitInteraction")
    assert this_call.callee.obj == Member(This("org.wikipedia.feed.HomeFragment"), "instrument")
    assert safe_call.callee.obj == Member(Ref("context", safe_call.scope), "instrument")
    assert (chained.span.line, chained.span.column) == (11, 14)
    assert chained.snippet == 'submitInteraction(action = "app_open")'
    home = class_named(facts, "org.wikipedia.feed.HomeFragment")
    get = dict(home.properties)["instrument"]
    assert get == Call(
        Member(Member(Ref("TestKitchenAdapter", home.scope), "client"), "getInstrument"), (Lit("apps-home-feed"),)
    )
    # A member is also reachable by its bare name from the methods.
    assert FileSymbols(facts).lookup("instrument", this_call.scope).values == (get,)


def test_when_if_elvis_and_pairs_become_choices():
    facts = kotlin(
        """
package org.wikipedia.analytics

fun streamOf(kind: Int, fallback: String?): String {
    val byKind = when (kind) {
        1 -> "android.one"
        2, 3 -> { log(); "android.two" }
        else -> "android.other"
    }
    val chosen = if (kind > 0) "android.positive" else { "android.negative" }
    val named = fallback ?: "android.default"
    val pair = "k" to 1
    val list = items[0]
    return byKind
}
"""
    )
    assert binding(facts, "byKind").value == Cond((Lit("android.one"), Lit("android.two"), Lit("android.other")))
    assert binding(facts, "chosen").value == Cond((Lit("android.positive"), Lit("android.negative")))
    scope = scope_named(facts, "streamOf").id
    assert binding(facts, "named").value == Cond((Ref("fallback", scope), Lit("android.default")))
    assert binding(facts, "pair").value == Arr((Lit("k"), Lit(1)))
    assert binding(facts, "list").value == Index(Ref("items", scope), Lit(0))
    assert scope_named(facts, "streamOf").returns == (Ref("byKind", scope),)


def test_lazy_properties_assignments_and_returns_from_lambdas():
    facts = kotlin(
        """
package org.wikipedia.search

class SearchActivity : BaseActivity() {
    private val widget by lazy { TestKitchenAdapter.client.getInstrument("apps-widget") }
    private var count = 0

    fun onCreate() {
        _instrument = TestKitchenAdapter.client.getInstrument("apps-search")
        this.title = "Search"
        count += 1
        results.forEach { if (it.isEmpty()) return@forEach }
    }

    fun firstName(): String? {
        names.forEach { if (it.isNotEmpty()) return it }
        return null
    }
}
"""
    )
    activity = class_named(facts, "org.wikipedia.search.SearchActivity")
    widget = dict(activity.properties)["widget"]
    assert isinstance(widget, Call) and widget.args == (Lit("apps-widget"),)
    assigned = binding(facts, "_instrument")
    assert assigned.kind == "assign" and assigned.value.args == (Lit("apps-search"),)
    assert binding(facts, "count", scope_named(facts, "SearchActivity.onCreate").id).value == Unknown(
        "changed by an augmented assignment"
    )
    on_create = scope_named(facts, "SearchActivity.onCreate").id
    assert facts.member_assigns == (
        MemberAssign(Member(This(activity.name), "title"), Lit("Search"), on_create, 10),
    )
    first = scope_named(facts, "SearchActivity.firstName")
    lam = next(s for s in facts.scopes if s.parent == first.id)
    # `return it` inside an inlined lambda leaves the function; the labelled return only the lambda.
    assert first.returns == (Ref("it", lam.id), Lit(None))


def test_annotated_function_types_are_a_parse_problem_not_a_crash():
    facts = kotlin(
        """
package org.wikipedia.compose

@Composable
fun AppButton(onClick: () -> Unit, content: @Composable (() -> Unit)) {
    Button(onClick = onClick) { content() }
}
"""
    )
    assert [p.code for p in facts.problems] == ["parse-error"]
