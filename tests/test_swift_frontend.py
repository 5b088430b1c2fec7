"""The Swift frontend's lowering of real-shaped Swift (the Wikipedia iOS app) into file facts."""

from __future__ import annotations

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Call,
    ClassRef,
    Concat,
    Cond,
    Func,
    Index,
    Lit,
    Member,
    MemberAssign,
    Obj,
    Ref,
    This,
    Unknown,
)
from analyzer.frontends import frontend_for
from analyzer.frontends.swift import IMPLICIT_TYPE, SwiftFrontend


def swift(code: str):
    return SwiftFrontend().lower("Wikipedia/Code/Demo.swift", code.encode())


def class_named(facts, name: str):
    return next(c for c in facts.classes if c.name == name)


def scope_named(facts, name: str):
    return next(s for s in facts.scopes if s.name == name)


def value_of(facts, name: str):
    """The value of the last binding of `name`."""
    return [b.value for b in facts.bindings if b.name == name][-1]


def call_to(facts, prop: str):
    return next(c for c in facts.calls if isinstance(c.callee, Member) and c.callee.prop == prop)


def test_claims_swift_files():
    assert isinstance(frontend_for("Wikipedia/Code/SearchFunnel.swift"), SwiftFrontend)
    assert not isinstance(frontend_for("Wikipedia/Code/WMFSearchFunnel.m"), SwiftFrontend)


# --- types -----------------------------------------------------------------------------------


def test_enum_cases_carry_written_and_implicit_raw_values():
    facts = swift(
        """
extension EventPlatformClient {
    public enum Stream: String, Codable {
        case editHistoryCompare = "ios.edit_history_compare"
        case sessions = "app_session"
        case demo_plain
        case a, b = "bee"
    }
}
enum Level: Int { case low, mid = 5, high }
enum Plain { case one, two(String) }
"""
    )
    stream = class_named(facts, "EventPlatformClient.Stream")
    assert stream.kind == "enum"
    assert stream.interfaces == ("String", "Codable")
    assert stream.constants == (
        ("editHistoryCompare", Lit("ios.edit_history_compare")),
        ("sessions", Lit("app_session")),
        ("demo_plain", Lit("demo_plain")),
        ("a", Lit("a")),
        ("b", Lit("bee")),
    )
    assert class_named(facts, "Level").constants == (("low", Lit(0)), ("mid", Lit(5)), ("high", Lit(6)))
    assert class_named(facts, "Plain").constants[1] == ("two", Unknown("enum case without a raw value"))
    # The extension of a type declared elsewhere is kept, named after that type.
    assert class_named(facts, "EventPlatformClient").kind == "extension"


def test_members_of_an_extension_belong_to_the_extended_type():
    facts = swift(
        """
final class DemoFunnel: NSObject, Loggable {
    static let shared = DemoFunnel()
    func logA() {}
}
extension DemoFunnel: Codable {
    static let version = 2
    func logB() { self.logA() }
}
"""
    )
    assert [c.name for c in facts.classes] == ["DemoFunnel"]
    funnel = class_named(facts, "DemoFunnel")
    assert funnel.parent == "NSObject"
    assert funnel.interfaces == ("Loggable", "Codable")
    assert funnel.constants == (("shared", Call(ClassRef("DemoFunnel"), new=True)), ("version", Lit(2)))
    assert [name for name, _ in funnel.methods] == ["logA", "logB"]
    log_b = scope_named(facts, "DemoFunnel.logB")
    assert log_b.cls == "DemoFunnel"
    assert call_to(facts, "logA").callee == Member(This("DemoFunnel"), "logA")


def test_event_struct_schema_property_keeps_its_declared_type():
    facts = swift(
        """
final class EditHistoryFunnel: EventLoggingFunnel {
    private struct Event: EventInterface {
        static let schema: EventPlatformClient.Schema = .editHistoryCompare
        let action: Action
        var domain: String? = nil
    }
    private struct Container: EventInterface {
        static var schema: WMF.EventPlatformClient.Schema { .editAttempt }
    }
}
"""
    )
    event = class_named(facts, "EditHistoryFunnel.Event")
    assert event.kind == "struct"
    assert event.interfaces == ("EventInterface",)
    assert event.constants == (("schema", Member(ClassRef("EventPlatformClient.Schema"), "editHistoryCompare")),)
    assert event.properties == (("domain", Lit(None)),)
    assert event.property_types == (
        ("schema", "EventPlatformClient.Schema"),
        ("action", "Action"),
        ("domain", "String"),
    )
    container = class_named(facts, "EditHistoryFunnel.Container")
    getter = scope_named(facts, "EditHistoryFunnel.Container.schema")
    assert container.properties == (("schema", Call(Func(getter.id))),)
    # A getter's implicit member takes the property's declared type.
    assert getter.returns == (Member(ClassRef("WMF.EventPlatformClient.Schema"), "editAttempt"),)
    # Nested types are bound in the enclosing type's scope under their short name.
    funnel_scope = scope_named(facts, "EditHistoryFunnel").id
    assert value_of(facts, "Event") == ClassRef("EditHistoryFunnel.Event")
    assert [b.scope for b in facts.bindings if b.name == "Event"] == [funnel_scope]


def test_protocol_requirements_and_attributes():
    facts = swift(
        """
public protocol EventInterface: Codable {
    static var schema: EventPlatformClient.Schema { get }
}
@objc(WMFNavigationEventsFunnel) @available(iOS 13, *)
final class NavigationEventsFunnel: NSObject {}
"""
    )
    protocol = class_named(facts, "EventInterface")
    assert protocol.kind == "interface"
    assert protocol.property_types == (("schema", "EventPlatformClient.Schema"),)
    funnel = class_named(facts, "NavigationEventsFunnel")
    assert funnel.annotations[0] == ("objc", (Lit("WMFNavigationEventsFunnel"),))
    assert funnel.annotations[1][0] == "available"


# --- calls -----------------------------------------------------------------------------------


def test_labelled_arguments_implicit_members_and_trailing_closures():
    facts = swift(
        """
final class SessionsFunnel {
    func log(event: Event) {
        EventPlatformClient.shared.submit(stream: .sessions, event: event, needsMinimal: true) {
            done()
        }
        WMF.EventPlatformClient.shared?.submit(stream: EventPlatformClient.Stream.login, event: event)
    }
}
"""
    )
    first, second = [c for c in facts.calls if isinstance(c.callee, Member) and c.callee.prop == "submit"]
    assert first.callee == Member(Member(ClassRef("EventPlatformClient"), "shared"), "submit")
    assert first.named == (
        ("stream", Member(IMPLICIT_TYPE, "sessions")),
        ("event", Ref("event", first.scope)),
        ("needsMinimal", Lit(True)),
    )
    closure = scope_named(facts, "<closure@4>")
    assert first.args == (Func(closure.id),)
    assert first.span.line == 4 and first.span.end_line == 6
    # A module-qualified type and an optional chain read as written; `A.B` names a nested type.
    assert second.callee == Member(Member(ClassRef("WMF.EventPlatformClient"), "shared"), "submit")
    assert second.named[0] == ("stream", Member(ClassRef("EventPlatformClient.Stream"), "login"))


def test_calls_of_types_and_super_init():
    facts = swift(
        """
final class FeedFunnel: EventLoggingFunnel {
    private let client = TestKitchenClient(sender: Sender())
    private override init() {
        super.init(schema: "MobileWikiAppiOSFeed", version: 18280649)
    }
    func make() -> Array<Int> { Array<Int>(repeating: 0, count: 2) }
    func helper() { Helper() }
    func Helper() {}
}
"""
    )
    assert value_of(facts, "client") == Call(
        ClassRef("TestKitchenClient"), named=(("sender", Call(ClassRef("Sender"), new=True)),), new=True
    )
    init = call_to(facts, "init")
    assert init.callee == Member(ClassRef("EventLoggingFunnel"), "init")
    assert init.named == (("schema", Lit("MobileWikiAppiOSFeed")), ("version", Lit(18280649)))
    array = next(c for c in facts.calls if c.callee == ClassRef("Array"))
    assert array.new and array.named == (("repeating", Lit(0)), ("count", Lit(2)))
    # A function of this file named like a type is a function call.
    helper = next(c for c in facts.calls if c.callee == Ref("Helper", c.scope))
    assert not helper.new


def test_chained_calls_start_at_their_method_name():
    facts = swift(
        """
func show() {
    TestKitchenAdapter.shared.client.getInstrument(name: "apps-authentication")
        .submitInteraction(action: "impression", actionSource: "vanish_warning")
}
"""
    )
    get = call_to(facts, "getInstrument")
    submit = call_to(facts, "submitInteraction")
    assert (get.span.line, get.span.column) == (3, 5)
    assert (submit.span.line, submit.span.column) == (4, 10)
    assert submit.callee.obj == Call(get.callee, named=(("name", Lit("apps-authentication")),))
    assert submit.snippet.startswith("TestKitchenAdapter.shared.client")


def test_subscripts_are_not_calls():
    facts = swift(
        """
func f(dict: [String: String], list: [Int]) {
    let a = dict["stream"]
    let b = list[0]
}
"""
    )
    assert facts.calls == ()
    assert value_of(facts, "a") == Member(Ref("dict", 1), "stream")
    assert value_of(facts, "b") == Index(Ref("list", 1), Lit(0))


def test_lazy_property_initialised_by_a_closure_is_its_expression():
    facts = swift(
        """
final class LoginCoordinator {
    private lazy var instrument: InstrumentImpl = {
        TestKitchenAdapter.shared.client.getInstrument(name: "apps-authentication")
            .startFunnel(name: "login_account")
    }()
}
"""
    )
    coordinator = class_named(facts, "LoginCoordinator")
    name, value = coordinator.properties[0]
    assert name == "instrument"
    assert isinstance(value, Call) and value.callee.prop == "startFunnel"
    assert coordinator.property_types == (("instrument", "InstrumentImpl"),)
    assert value_of(facts, "instrument") == value


# --- expressions -----------------------------------------------------------------------------


def test_strings_interpolation_and_concatenation():
    facts = swift(
        r'''
let version = "2.1.0"
let schema = "/analytics/product_metrics/app/base/\(version)"
let escaped = "tab\there \u{41}\"q\""
let joined = "ios." + "demo" + version
let multi = """
    line one
      line \(version)
    """
let raw = #"a \d "b" \#(version)"#
'''
    )
    assert value_of(facts, "schema") == Concat(
        (Lit("/analytics/product_metrics/app/base/"), Ref("version", MODULE_SCOPE)), "template-literal"
    )
    assert value_of(facts, "escaped") == Lit('tab\there A"q"')
    assert value_of(facts, "joined") == Concat(
        (Lit("ios."), Lit("demo"), Ref("version", MODULE_SCOPE)), "concatenation"
    )
    assert value_of(facts, "multi") == Concat(
        (Lit("line one\n  line "), Ref("version", MODULE_SCOPE)), "template-literal"
    )
    assert value_of(facts, "raw") == Concat((Lit('a \\d "b" '), Ref("version", MODULE_SCOPE)), "template-literal")


def test_literals_choices_and_collections():
    facts = swift(
        """
func f(x: String?, flag: Bool) {
    let a = x ?? "default"
    let b = flag ? "on" : "off"
    let c = ["$schema": "/a/b/1.0.0", "meta": ["stream": "s"]]
    let d = [1, 0x10, -2]
    let (e, g) = ("one", 2.5)
    let h = try? await load(x!)
}
"""
    )
    scope = scope_named(facts, "f").id
    assert value_of(facts, "a") == Cond((Ref("x", scope), Lit("default")))
    assert value_of(facts, "b") == Cond((Lit("on"), Lit("off")))
    assert value_of(facts, "c") == Obj((("$schema", Lit("/a/b/1.0.0")), ("meta", Obj((("stream", Lit("s")),)))))
    assert value_of(facts, "d") == Arr((Lit(1), Lit(16), Lit(-2)))
    assert value_of(facts, "e") == Index(Arr((Lit("one"), Lit(2.5))), Lit(0))
    assert value_of(facts, "h") == Call(Ref("load", scope), (Ref("x", scope),))


# --- scopes and bindings ---------------------------------------------------------------------


def test_parameters_defaults_and_types():
    facts = swift(
        """
final class HomeViewController {
    static let instrumentName = "apps-home-feed"
    func logRefresh(
        _ source: String,
        stream: EventPlatformClient.Stream? = .sessions,
        instrument: InstrumentImpl = TestKitchenAdapter.shared.client.getInstrument(name: instrumentName)
    ) {}
}
"""
    )
    scope = scope_named(facts, "HomeViewController.logRefresh")
    assert scope.params == ("source", "stream", "instrument")
    assert scope.param_types == (
        ("source", "String"),
        ("stream", "EventPlatformClient.Stream"),
        ("instrument", "InstrumentImpl"),
    )
    defaults = {b.name: b.value for b in facts.bindings if b.kind == "param"}
    assert defaults["source"] is None
    # An implicit member takes the declared type of what it initialises.
    assert defaults["stream"] == Member(ClassRef("EventPlatformClient.Stream"), "sessions")
    assert defaults["instrument"].named == (("name", Ref("instrumentName", scope.parent)),)


def test_let_var_assignments_and_conditional_bindings():
    facts = swift(
        """
final class Adapter {
    var count = 0
    func send(events: [Data]) {
        guard let storageManager = EventPlatformClient.shared.storageManager else { return }
        var label: String
        label = "x"
        count += 1
        self.count = 2
        for event in ["a", "b"] {}
    }
}
"""
    )
    send = scope_named(facts, "Adapter.send").id
    kinds = {(b.name, b.kind) for b in facts.bindings}
    assert ("count", "var") in kinds and ("label", "let") not in kinds and ("label", "var") in kinds
    assert value_of(facts, "storageManager") == Member(
        Member(ClassRef("EventPlatformClient"), "shared"), "storageManager"
    )
    assert [b.value for b in facts.bindings if b.name == "label"] == [None, Lit("x")]
    assert value_of(facts, "count") == Unknown("changed by a compound assignment")
    assert facts.member_assigns == (MemberAssign(Member(This("Adapter"), "count"), Lit(2), send, 9),)
    assert value_of(facts, "event") == Cond((Lit("a"), Lit("b")))


def test_returns_and_exports():
    facts = swift(
        """
public func streamName() -> String { "ios.demo" }
func other(flag: Bool) -> String {
    if flag { return "a" }
    return "b"
}
private func hidden() {}
public let prefix = "ios."
func defaultStream() -> EventPlatformClient.Stream { return .sessions }
"""
    )
    assert scope_named(facts, "streamName").returns == (Lit("ios.demo"),)
    assert scope_named(facts, "defaultStream").returns == (Member(ClassRef("EventPlatformClient.Stream"), "sessions"),)
    assert scope_named(facts, "other").returns == (Lit("a"), Lit("b"))
    assert [name for name, _ in facts.exports] == ["streamName", "other", "prefix", "defaultStream"]


def test_comments_are_not_calls():
    facts = swift(
        """
/// Use `EventPlatformClient.shared?.submit(stream: .test, event: event)`.
// EventPlatformClient.shared.submit(stream: .old, event: e)
/* EventPlatformClient.shared.submit(stream: .older, event: e) */
"""
    )
    assert facts.calls == ()


def test_unparsable_syntax_is_reported_and_the_rest_still_lowered():
    facts = swift(
        """
func markRead(completion: (Result<Void, Error>) -> Void) {
    completion(.success(()))
}
func log() {
    EventPlatformClient.shared.submit(stream: .demo, event: Event())
}
"""
    )
    assert [p.code for p in facts.problems] == ["parse-error"]
    assert facts.problems[0].span.line == 3
    assert call_to(facts, "submit").named[0] == ("stream", Member(IMPLICIT_TYPE, "demo"))
