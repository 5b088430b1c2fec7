"""The Objective-C frontend's lowering of real-shaped Objective-C (the Wikipedia iOS app's
legacy funnels and the view controllers that call Swift funnels) into file facts."""

from __future__ import annotations

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Call,
    ClassRef,
    Cond,
    Func,
    GlobalRef,
    Lit,
    Member,
    MemberAssign,
    Obj,
    Ref,
    This,
)
from analyzer.frontends import frontend_for
from analyzer.frontends.objc import ObjcFrontend, swift_name
from analyzer.frontends.swift import SwiftFrontend
from analyzer.frontends.treesitter import parser
from analyzer.pipeline import ScanOptions, scan
from analyzer.prefilter import mentioning
from analyzer.symbols import RepoIndex


def objc(code: str, path: str = "Wikipedia/Code/WMFDemo.m"):
    return ObjcFrontend().lower(path, code.encode())


def callees(facts) -> list:
    return [c.callee for c in facts.calls]


def value_of(facts, name: str):
    return [b for b in facts.bindings if b.name == name][-1]


def test_frontend_claims_implementation_and_header_files():
    assert frontend_for("Wikipedia/Code/WMFSearchFunnel.m").language == "objc"
    assert frontend_for("Wikipedia/Code/WMFSearchFunnel.h").language == "objc"
    assert frontend_for("Wikipedia/Code/Bridge.mm").language == "objc"
    assert frontend_for("Wikipedia/Code/Funnel.swift").language == "swift"


def test_selectors_are_named_as_swift_names_the_method():
    assert swift_name("initWithSchema") == "init"
    assert swift_name("logOpenHistoryWithUrl") == "logOpenHistory"
    assert swift_name("logTappedExplore") == "logTappedExplore"
    assert swift_name("log") == "log"
    # Only `With` followed by a label: a word that merely contains it stays whole.
    assert swift_name("logWithdrawal") == "logWithdrawal"


def test_messages_are_calls_with_positional_arguments_in_selector_order():
    facts = objc("""
@implementation WMFDemoController
- (void)show:(NSURL *)url {
    [[WMFNavigationEventsFunnel shared] logTappedExplore];
    [UserHistoryFunnel.shared logSnapshot];
    [self.funnel logSearchResultsWithTypeOfSearch:1 resultCount:2 elapsedTime:url];
}
@end
""")
    shared = Call(Member(ClassRef("WMFNavigationEventsFunnel"), "shared"))
    found = callees(facts)
    assert Member(shared, "logTappedExplore") in found
    assert Member(Member(GlobalRef("UserHistoryFunnel"), "shared"), "logSnapshot") in found
    results = next(c for c in facts.calls if isinstance(c.callee, Member) and c.callee.prop == "logSearchResults")
    assert results.callee.obj == Member(This("WMFDemoController"), "funnel")
    assert results.args[:2] == (Lit(1), Lit(2)) and isinstance(results.args[2], Ref)
    assert results.named == ()


def test_super_and_self_are_this_object_and_alloc_init_constructs():
    facts = objc("""
@implementation WMFSearchFunnel
- (instancetype)init {
    self = [super initWithSchema:kSchemaName version:kSchemaVersion];
    WMFDemoMenu *menu = [[WMFDemoMenu alloc] initWithTitle:@"x"];
    WMFDemoMenu *other = [WMFDemoMenu new];
    [super init];
    return self;
}
@end
""")
    init = facts.calls[0]
    assert init.callee == Member(This("WMFSearchFunnel"), "init")
    assert init.args == (GlobalRef("kSchemaName"), GlobalRef("kSchemaVersion"))
    assert value_of(facts, "menu").value == Call(ClassRef("WMFDemoMenu"), (Lit("x"),), new=True)
    assert value_of(facts, "other").value == Call(ClassRef("WMFDemoMenu"), (), new=True)
    # `[WMFDemoMenu alloc]` is part of the construction, not a call of its own.
    assert all(not (isinstance(c.callee, Member) and c.callee.prop == "alloc") for c in facts.calls)
    assert Member(This("WMFSearchFunnel"), "init") in callees(facts)  # the plain `[super init]`
    method = next(s for s in facts.scopes if s.name == "WMFSearchFunnel.init")
    assert method.returns == (This("WMFSearchFunnel"),)


def test_a_singleton_built_by_a_class_method_and_the_superclass_initialiser_call():
    facts = objc("""
@implementation WMFDailyStatsFunnel
+ (WMFDailyStatsFunnel *)shared {
    static WMFDailyStatsFunnel *shared;
    dispatch_once(&onceToken, ^{
        shared = [self new];
    });
    return shared;
}
- (instancetype)init {
    self = [super initWithSchema:@"MobileWikiAppDailyStats" version:17984412];
    return self;
}
- (void)reset {
    [super initWithSchema:@"NotTheInitialiser" version:1];
}
@end
""")
    assigned = [b.value for b in facts.bindings if b.name == "shared" and b.kind == "assign"]
    assert assigned == [Call(ClassRef("WMFDailyStatsFunnel"), (), new=True)]
    [klass] = facts.classes
    # What the class passes to its superclass's initialiser, from its own initialiser only.
    assert klass.super_args == (Lit("MobileWikiAppDailyStats"), Lit(17984412))


def test_file_constants_defines_and_repository_wide_constants():
    facts = objc("""
#define WMFDemoSchema @"MobileWikiAppDemo"
#define WMFDemoRevision 17836914
#define WMF_MACRO(x) [x description]
static NSString *const kSchemaName = @"MobileWikiApp" @"Search";
static int const kSchemaVersion = 10641988;
NSString *const WMFDemoLoginSchemaName = @"MobileWikiAppDemoLogin";
extern NSString *const WMFDeclaredElsewhere;
static NSString *const kQuoted = @"say \\"hi\\"";
""")
    kinds = {b.name: (b.kind, b.value, b.scope) for b in facts.bindings}
    assert kinds["WMFDemoSchema"] == ("define", Lit("MobileWikiAppDemo"), MODULE_SCOPE)
    assert kinds["WMFDemoRevision"] == ("define", Lit(17836914), MODULE_SCOPE)
    assert kinds["kSchemaName"] == ("const", Lit("MobileWikiAppSearch"), MODULE_SCOPE)
    assert kinds["kSchemaVersion"] == ("const", Lit(10641988), MODULE_SCOPE)
    assert kinds["WMFDemoLoginSchemaName"] == ("define", Lit("MobileWikiAppDemoLogin"), MODULE_SCOPE)
    assert kinds["kQuoted"][1] == Lit('say "hi"')
    assert "WMFDeclaredElsewhere" not in kinds and "WMF_MACRO" not in kinds


def test_names_the_file_declares_are_refs_and_other_names_are_global():
    facts = objc("""
static NSString *const kSchemaName = @"MobileWikiAppSearch";
@implementation WMFSearchFunnel
- (void)logWithSource:(NSString *)source {
    NSString *local = source;
    [self use:kSchemaName with:local also:WMFElsewhere];
}
@end
""")
    use = next(c for c in facts.calls if c.callee == Member(This("WMFSearchFunnel"), "use"))
    schema, local, elsewhere = use.args
    assert isinstance(schema, Ref) and schema.name == "kSchemaName"
    assert isinstance(local, Ref) and local.name == "local"
    assert elsewhere == GlobalRef("WMFElsewhere")
    method = next(s for s in facts.scopes if s.name == "WMFSearchFunnel.log")
    assert method.params == ("source",) and method.param_types == (("source", "NSString"),)
    assert value_of(facts, "local").value == Ref("source", method.id, 5)


def test_interface_and_implementation_of_one_file_are_one_class():
    facts = objc("""
@interface WMFSearchFunnel : EventLoggingFunnel <WMFFunnel, NSCopying>
@property (nonatomic, strong) NSString *searchSessionToken;
- (void)logSearchStart;
@end
@interface WMFSearchFunnel ()
@property (nonatomic, strong) WMFDemoMenu *menu;
@end
@implementation WMFSearchFunnel
- (void)logSearchStart {}
+ (NSString *)stringForSearchType:(NSInteger)type { return @"prefix"; }
@end
@protocol WMFFunnel <NSObject>
@end
""")
    classes = {c.name: c for c in facts.classes}
    funnel = classes["WMFSearchFunnel"]
    assert (funnel.kind, funnel.parent) == ("class", "EventLoggingFunnel")
    assert funnel.interfaces == ("WMFFunnel", "NSCopying")
    assert dict(funnel.property_types) == {"searchSessionToken": "NSString", "menu": "WMFDemoMenu"}
    assert [name for name, _ in funnel.methods] == ["logSearchStart", "stringForSearchType"]
    assert classes["WMFFunnel"].kind == "interface"


def test_an_implementation_without_its_interface_is_an_extension_completed_by_the_header():
    header = objc("@interface WMFSearchFunnel : EventLoggingFunnel\n@end\n", "Wikipedia/Code/WMFSearchFunnel.h")
    implementation = objc("""
@implementation WMFSearchFunnel
- (void)logSearchStart {}
@end
@implementation WMFSearchFunnel (Sharing)
- (void)logShare {}
@end
""", "Wikipedia/Code/WMFSearchFunnel.m")
    base = objc("@interface EventLoggingFunnel : NSObject\n@end\n", "Wikipedia/Code/EventLoggingFunnel.h")
    [klass] = implementation.classes
    assert (klass.kind, klass.parent) == ("extension", None)
    assert [name for name, _ in klass.methods] == ["logSearchStart", "logShare"]
    index = RepoIndex([header, implementation, base])
    lineage = [(path, c.name, c.kind) for path, c in index.lineage(implementation.path, klass)]
    assert ("Wikipedia/Code/WMFSearchFunnel.h", "WMFSearchFunnel", "class") in lineage
    assert ("Wikipedia/Code/EventLoggingFunnel.h", "EventLoggingFunnel", "class") in lineage
    assert index.symbols(implementation.path).inherits(klass, "EventLoggingFunnel")


def test_literals_dictionaries_arrays_choices_and_blocks():
    facts = objc("""
static NSString *const kActionKey = @"action";
@implementation WMFEditFunnel
- (void)logError:(NSString *)code {
    [self log:@{kActionKey: @"error", @"errorText": (code ? code : @""), @"n": @(3), @"ok": @YES,
                @"list": @[@"a", @"b"], @"fallback": code ?: @"none"}];
    dispatch_async(queue, ^{
        [self logSuccess];
    });
}
@end
""")
    log = next(c for c in facts.calls if c.callee == Member(This("WMFEditFunnel"), "log"))
    payload = log.args[0]
    assert isinstance(payload, Obj)
    entries = dict(payload.entries)
    assert entries["action"] == Lit("error")
    assert isinstance(entries["errorText"], Cond) and entries["errorText"].options[1] == Lit("")
    assert entries["n"] == Lit(3)
    assert entries["list"] == Arr((Lit("a"), Lit("b")))
    assert isinstance(entries["fallback"], Cond) and entries["fallback"].options[1] == Lit("none")
    dispatch = next(c for c in facts.calls if c.callee == GlobalRef("dispatch_async"))
    block = dispatch.args[1]
    assert isinstance(block, Func)
    inner = next(c for c in facts.calls if c.callee == Member(This("WMFEditFunnel"), "logSuccess"))
    assert inner.scope == block.id


def test_property_and_instance_variable_assignments_are_member_assignments():
    facts = objc("""
@implementation WMFDemoController
- (void)viewDidLoad {
    self.funnel = [[WMFEditFunnel alloc] init];
    _menu = [[WMFDemoMenu alloc] init];
    count += 1;
}
@end
""")
    targets = {a.target: a.value for a in facts.member_assigns}
    assert targets[Member(This("WMFDemoController"), "funnel")] == Call(ClassRef("WMFEditFunnel"), (), new=True)
    assert targets[Member(This("WMFDemoController"), "menu")] == Call(ClassRef("WMFDemoMenu"), (), new=True)
    assert all(isinstance(a, MemberAssign) for a in facts.member_assigns)


def test_comments_and_strings_are_not_calls():
    facts = objc("""
@implementation WMFDemoController
- (void)show {
    // [[WMFNavigationEventsFunnel shared] logTappedExplore];
    /* [self logSearchStart]; */
    NSLog(@"[[WMFNavigationEventsFunnel shared] logTappedExplore]");
}
@end
""")
    assert callees(facts) == [GlobalRef("NSLog")]


def test_unparsable_syntax_is_reported_and_the_rest_still_lowered():
    facts = objc("""
@implementation WMFDemoController
- (void)broken {
    [self log:@{ @"action": }]]];
}
- (void)fine {
    [[WMFNavigationEventsFunnel shared] logTappedExplore];
}
@end
""")
    assert [p.code for p in facts.problems] == ["parse-error"]
    assert any(isinstance(c, Member) and c.prop == "logTappedExplore" for c in callees(facts))


def test_foundation_macros_do_not_break_the_parse_and_keep_every_position():
    code = """NS_ASSUME_NONNULL_BEGIN

typedef NSString *WMFDemoCategory NS_TYPED_EXTENSIBLE_ENUM;
typedef NS_ENUM(NSUInteger, WMFSearchType) {
    WMFSearchTypePrefix = 0,
    WMFSearchTypeFull
};

@implementation WMFDemoController
- (void)show {
    @weakify(self);
    dispatch_async(queue, ^{
        @strongify(self);
        [[WMFNavigationEventsFunnel shared] logTappedExplore];
    });
    @onExit {
        [self.funnel logSearchCancel];
    };
}
@end

NS_ASSUME_NONNULL_END
"""
    facts = objc(code)
    assert facts.problems == ()
    explore = next(c for c in facts.calls if isinstance(c.callee, Member) and c.callee.prop == "logTappedExplore")
    assert (explore.span.line, explore.span.column) == (14, 9)
    assert explore.snippet == "[[WMFNavigationEventsFunnel shared] logTappedExplore]"
    assert any(isinstance(c.callee, Member) and c.callee.prop == "logSearchCancel" for c in facts.calls)
    # Without the rewrite, the same file does not parse.
    assert parser("objc").parse(code.encode()).root_node.has_error


def test_code_nested_beyond_the_limit_is_reported_not_lost_silently():
    nested = "(" * 200 + "[self logDeep]" + ")" * 200
    facts = objc(f"@implementation X\n- (void)f {{\n    id v = {nested};\n    [self logShallow];\n}}\n@end\n")
    assert [p.code for p in facts.problems] == ["nesting-limit"]
    assert any(isinstance(c.callee, Member) and c.callee.prop == "logShallow" for c in facts.calls)


def test_swift_objc_name_is_an_alias_of_the_class():
    swift = SwiftFrontend().lower("Wikipedia/Code/NavigationEventsFunnel.swift", b"""
@objc(WMFNavigationEventsFunnel)
final class NavigationEventsFunnel: NSObject {
    @objc static let shared = NavigationEventsFunnel()
}
""")
    [klass] = swift.classes
    assert klass.aliases == ("WMFNavigationEventsFunnel",)
    index = RepoIndex([swift])
    assert [c.name for _, c in index.find_classes("WMFNavigationEventsFunnel")] == ["NavigationEventsFunnel"]


def test_prefilter_finds_objc_spellings_of_swift_method_names():
    files = {
        "a.m": b"[[WMFDemoHistoryFunnel shared] logOpenHistoryWithUrl:url];",
        "b.m": b"[[WMFDemoHistoryFunnel shared] logOpenHistoryWithdrawn];",
        "c.m": b"[self logOpenHistoryX];",
    }
    assert mentioning({"logOpenHistory"}, files) == {"a.m"}


def test_objc_callers_of_swift_funnels_are_found_across_files_and_languages(tmp_path):
    """End to end: the .m file is parsed only because it calls a method the Swift funnel
    wraps the submit in (the prefilter learns the name), and reports what the funnel sends."""
    code = tmp_path / "Wikipedia" / "Code"
    code.mkdir(parents=True)
    (code / "EventPlatformClient.swift").write_text("""
@objc public class EventPlatformClient: NSObject {
    @objc public static let shared = EventPlatformClient()
    public enum Stream: String { case navigation = "ios.navigation" }
    public func submit(stream: Stream, event: Any) {}
}
""")
    # No prefilter trigger (`Funnel`, `EventPlatformClient`…) in the class name or the .m file.
    (code / "NavigationEvents.swift").write_text("""
@objc(WMFNavigationEvents)
final class NavigationEvents: NSObject {
    @objc static let shared = NavigationEvents()
    @objc func logTappedPlaces(source: String) {
        EventPlatformClient.shared.submit(stream: .navigation, event: source)
    }
}
""")
    (code / "WMFAppViewController.m").write_text("""
@implementation WMFAppViewController
- (void)showPlaces {
    [[WMFNavigationEvents shared] logTappedPlacesWithSource:@"tab"];
}
@end
""")
    result = scan([tmp_path], ScanOptions())
    objc_findings = [f for f in result.findings if f.language == "objc"]
    assert [(f.path, f.span.line, f.name, f.via_wrapper.function) for f in objc_findings] == [
        ("Wikipedia/Code/WMFAppViewController.m", 4, "ios.navigation", "NavigationEvents.logTappedPlaces")
    ]
