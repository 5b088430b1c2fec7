"""The PHP frontend's lowering of real-shaped PHP into file facts."""

from __future__ import annotations

import dataclasses

from analyzer.facts import (
    MODULE_SCOPE,
    Arr,
    Binding,
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
    This,
    Unknown,
)
from analyzer.frontends import frontend_for
from analyzer.frontends.php import PhpFrontend, lower_php


def no_lines(value):
    """The value with every variable reference's line set to 0 (tested on its own below)."""
    if isinstance(value, Ref):
        return dataclasses.replace(value, line=0)
    if isinstance(value, tuple):
        return tuple(no_lines(v) for v in value)
    if isinstance(value, list):
        return [no_lines(v) for v in value]
    if dataclasses.is_dataclass(value):
        fields = {f.name: no_lines(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **fields)
    return value


def lower(code: str):
    """The facts of `code`, without use-site lines (see test_variables_carry_their_line)."""
    return no_lines(lower_php("includes/Demo.php", code.encode()))


def php(code: str):
    return lower("<?php" + code)


def value_of(facts, name: str):
    """The value of the last binding of `name`."""
    return [b.value for b in facts.bindings if b.name == name][-1]


def callee_names(facts) -> list:
    return [c.callee for c in facts.calls]


def scope_named(facts, name: str):
    return next(s for s in facts.scopes if s.name == name)


def class_named(facts, name: str):
    return next(c for c in facts.classes if c.name == name)


def test_claims_php_files():
    assert isinstance(frontend_for("includes/Hooks.php"), PhpFrontend)
    assert frontend_for("includes/Hooks.PHP") is not None
    assert not isinstance(frontend_for("modules/init.js"), PhpFrontend)


# --- names -----------------------------------------------------------------------------------


def test_class_names_resolve_through_namespace_and_use_imports():
    facts = php(
        """
namespace MediaWiki\\Extension\\Demo\\Hooks;

use MediaWiki\\Extension\\EventLogging\\EventLogging;
use MediaWiki\\Extension\\EventLogging\\EventLogging as EL;
use MediaWiki\\Extension\\{TestKitchen\\Sdk\\ExperimentManager, EventLogging\\EventSubmitter as Submitters};
use MediaWiki\\Extension;

EventLogging::submit( 'a', [] );
EL::logEvent( 'B', -1, [] );
\\MediaWiki\\Extension\\EventLogging\\EventLogging::submit( 'c', [] );
new ExperimentManager();
new Submitters\\EventSubmitter();
new Extension\\Demo\\Helper();
new LocalThing();
"""
    )
    assert callee_names(facts) == [
        Member(ClassRef("MediaWiki\\Extension\\EventLogging\\EventLogging"), "submit", static=True),
        Member(ClassRef("MediaWiki\\Extension\\EventLogging\\EventLogging"), "logEvent", static=True),
        Member(ClassRef("MediaWiki\\Extension\\EventLogging\\EventLogging"), "submit", static=True),
        ClassRef("MediaWiki\\Extension\\TestKitchen\\Sdk\\ExperimentManager"),
        ClassRef("MediaWiki\\Extension\\EventLogging\\EventSubmitter\\EventSubmitter"),
        ClassRef("MediaWiki\\Extension\\Demo\\Helper"),
        ClassRef("MediaWiki\\Extension\\Demo\\Hooks\\LocalThing"),
    ]
    assert [c.new for c in facts.calls] == [False, False, False, True, True, True, True]


def test_a_new_namespace_statement_forgets_the_previous_imports():
    facts = php(
        """
namespace First;
use Wikimedia\\Stats\\StatsFactory;
new StatsFactory();
namespace Second;
new StatsFactory();
"""
    )
    assert callee_names(facts) == [ClassRef("Wikimedia\\Stats\\StatsFactory"), ClassRef("Second\\StatsFactory")]


def test_self_static_parent_and_this_in_static_access():
    facts = php(
        """
namespace Demo;

class Base {
}

class Logger extends Base {
    private const STREAM = 'mediawiki.demo';

    public function log() {
        $a = self::STREAM;
        $b = static::STREAM;
        $c = parent::STREAM;
        $d = $this::STREAM;
        $e = self::class;
        $f = Base::class;
        $g = self::$cache;
        parent::log();
    }
}
"""
    )
    assert value_of(facts, "$a") == Member(ClassRef("Demo\\Logger"), "STREAM", static=True)
    assert value_of(facts, "$b") == Member(ClassRef("Demo\\Logger"), "STREAM", static=True)
    assert value_of(facts, "$c") == Member(ClassRef("Demo\\Base"), "STREAM", static=True)
    assert value_of(facts, "$d") == Member(This("Demo\\Logger"), "STREAM", static=True)
    assert value_of(facts, "$e") == Lit("Demo\\Logger")
    assert value_of(facts, "$f") == Lit("Demo\\Base")
    assert value_of(facts, "$g") == Member(ClassRef("Demo\\Logger"), "$cache", static=True)
    assert facts.calls[0].callee == Member(ClassRef("Demo\\Base"), "log", static=True)


def test_function_names_stay_plain_unless_imported_or_qualified():
    facts = php(
        """
namespace Demo;
use function Other\\helper;
wfIncrStats( 'demo.count' );
\\wfIncrStats( 'demo.qualified' );
helper();
Sub\\run();
"""
    )
    scope = MODULE_SCOPE
    assert callee_names(facts) == [
        Ref("wfIncrStats", scope),
        Ref("wfIncrStats", scope),
        Ref("Other\\helper", scope),
        Ref("Demo\\Sub\\run", scope),
    ]


def test_constants_are_global_refs_and_defines_are_module_bindings():
    facts = php(
        """
namespace Demo;
define( 'DEMO_STREAM', 'mediawiki.demo' );
const LOCAL_STREAM = 'mediawiki.local';
$a = DEMO_STREAM;
$b = LOCAL_STREAM;
$c = \\Other\\NAME;
$d = __CLASS__;
"""
    )
    assert [b for b in facts.bindings if b.kind == "define"] == [
        Binding("DEMO_STREAM", MODULE_SCOPE, Lit("mediawiki.demo"), "define", 3),
        Binding("Demo\\LOCAL_STREAM", MODULE_SCOPE, Lit("mediawiki.local"), "define", 4),
    ]
    assert value_of(facts, "$a") == GlobalRef("DEMO_STREAM")
    assert value_of(facts, "$b") == GlobalRef("Demo\\LOCAL_STREAM")
    assert value_of(facts, "$c") == GlobalRef("Other\\NAME")
    assert value_of(facts, "$d") == Lit("")


# --- scopes, variables, parameters -----------------------------------------------------------


def test_assignments_are_var_bindings_of_their_function():
    facts = php(
        """
function build( string $name, int ...$rest ) {
    $stream = 'mediawiki.' . $name;
    if ( $rest ) {
        $stream = 'mediawiki.other';
    }
    return $stream;
}
$top = 1;
"""
    )
    build = scope_named(facts, "build")
    assert build.params == ("$name", "...$rest")
    assert build.param_types == (("$name", "string"), ("$rest", "int"))
    stream = [b for b in facts.bindings if b.name == "$stream"]
    assert [(b.scope, b.kind) for b in stream] == [(build.id, "var"), (build.id, "var")]
    assert stream[0].value == Concat((Lit("mediawiki."), Ref("$name", build.id)), "concatenation")
    assert Binding("build", MODULE_SCOPE, Func(build.id), "function", 2) in facts.bindings
    assert Binding("$top", MODULE_SCOPE, Lit(1), "var", 9) in facts.bindings
    assert [b.kind for b in facts.bindings if b.name in ("$name", "$rest")] == ["param", "param"]


def test_methods_open_named_scopes_with_their_class():
    facts = php(
        """
namespace Demo\\Stats;
use Wikimedia\\Stats\\StatsFactory;

class PageStats {
    private StatsFactory $stats;

    public function __construct( StatsFactory $statsFactory ) {
        $this->stats = $statsFactory->withComponent( 'Demo' );
    }

    public function record( ?StatsFactory $other, self $same ) {
        $this->stats->getCounter( 'views_total' )->increment();
    }
}
"""
    )
    klass = class_named(facts, "Demo\\Stats\\PageStats")
    constructor = scope_named(facts, "PageStats::__construct")
    record = scope_named(facts, "PageStats::record")
    assert klass.methods == (("__construct", constructor.id), ("record", record.id))
    assert constructor.cls == record.cls == "Demo\\Stats\\PageStats"
    assert constructor.param_types == (("$statsFactory", "Wikimedia\\Stats\\StatsFactory"),)
    assert record.param_types == (("$other", "Wikimedia\\Stats\\StatsFactory"), ("$same", "Demo\\Stats\\PageStats"))
    assert klass.property_types == (("stats", "Wikimedia\\Stats\\StatsFactory"),)
    assert facts.member_assigns == (
        MemberAssign(
            Member(This("Demo\\Stats\\PageStats"), "stats"),
            Call(Member(Ref("$statsFactory", constructor.id), "withComponent"), (Lit("Demo"),)),
            constructor.id,
            9,
        ),
    )
    counter = facts.calls[-1]
    assert counter.callee == Member(Member(This("Demo\\Stats\\PageStats"), "stats"), "getCounter")
    assert counter.scope == record.id


def test_promoted_constructor_properties_are_typed_and_assigned():
    facts = php(
        """
namespace Demo;
use Wikimedia\\Stats\\StatsFactory;
use MediaWiki\\Extension\\TestKitchen\\Sdk\\InstrumentManagerInterface;

class Sender {
    public function __construct(
        private readonly StatsFactory $statsFactory,
        protected InstrumentManagerInterface|null $instruments,
        string $plain
    ) {
    }
}
"""
    )
    klass = class_named(facts, "Demo\\Sender")
    constructor = scope_named(facts, "Sender::__construct")
    assert constructor.params == ("$statsFactory", "$instruments", "$plain")
    assert klass.property_types == (
        ("statsFactory", "Wikimedia\\Stats\\StatsFactory"),
        ("instruments", "MediaWiki\\Extension\\TestKitchen\\Sdk\\InstrumentManagerInterface"),
        ("instruments", "null"),
    )
    sender = This("Demo\\Sender")
    assert set(facts.member_assigns) == {
        MemberAssign(Member(sender, "statsFactory"), Ref("$statsFactory", constructor.id), constructor.id, 7),
        MemberAssign(Member(sender, "instruments"), Ref("$instruments", constructor.id), constructor.id, 7),
    }


def test_closures_see_used_variables_and_this():
    facts = php(
        """
class Hooks {
    public function onSave() {
        $stream = 'mediawiki.demo';
        $callback = function () use ( $stream, &$count ) {
            return $this->send( $stream );
        };
        $arrow = fn ( $x ) => $this->send( $x . $stream );
    }
}
"""
    )
    method = scope_named(facts, "Hooks::onSave")
    closure = scope_named(facts, "<closure@5>")
    arrow = scope_named(facts, "<arrow@8>")
    assert closure.parent == arrow.parent == method.id
    assert Binding("$stream", closure.id, Ref("$stream", method.id), "var", 5) in facts.bindings
    assert Binding("$count", closure.id, Ref("$count", method.id), "var", 5) in facts.bindings
    assert value_of(facts, "$callback") == Func(closure.id)
    assert arrow.params == ("$x",)
    sends = [c for c in facts.calls if c.callee == Member(This("Hooks"), "send")]
    assert [c.scope for c in sends] == [closure.id, arrow.id]
    assert sends[1].args == (Concat((Ref("$x", arrow.id), Ref("$stream", arrow.id)), "concatenation"),)


def test_this_outside_a_class_has_no_class():
    facts = php("\nfunction f() { $a = $this->x; }")
    assert value_of(facts, "$a") == Member(This(None), "x")


# --- classes ---------------------------------------------------------------------------------


def test_class_constants_properties_and_heritage():
    facts = php(
        """
namespace Demo;
use Other\\Contract;

abstract class Logger extends BaseLogger implements Contract, \\JsonSerializable {
    private const STREAM = 'mediawiki.demo';
    public const string SCHEMA = '/analytics/demo/1.0.0', VERSION = "1";
    protected ?string $stream = null;
    private array $defaults = [ 'action' => 'view' ];
    private static $instances = 0;
    private $untyped;
}
"""
    )
    klass = class_named(facts, "Demo\\Logger")
    assert klass.kind == "class"
    assert klass.parent == "Demo\\BaseLogger"
    assert klass.interfaces == ("Other\\Contract", "JsonSerializable")
    assert klass.constants == (
        ("STREAM", Lit("mediawiki.demo")),
        ("SCHEMA", Lit("/analytics/demo/1.0.0")),
        ("VERSION", Lit("1")),
    )
    assert klass.properties == (
        ("stream", Lit(None)),
        ("defaults", Obj((("action", Lit("view")),))),
        ("$instances", Lit(0)),
    )
    assert klass.property_types == (("stream", "string"), ("defaults", "array"))
    assert scope_named(facts, "Logger").cls == "Demo\\Logger"


def test_interface_and_enum_constants():
    facts = php(
        """
namespace Demo;
interface IExperiments extends Base, \\Countable {
    public const string ONBOARDING = 'demo-onboarding';
}
enum Stream: string {
    case Feedback = 'mediawiki.demo_feedback';
    case Other = 'mediawiki.' . 'other';
    const DEFAULT = self::Feedback;
}
enum Plain {
    case A;
}
"""
    )
    interface = class_named(facts, "Demo\\IExperiments")
    assert (interface.kind, interface.parent, interface.interfaces) == ("interface", None, ("Demo\\Base", "Countable"))
    assert interface.constants == (("ONBOARDING", Lit("demo-onboarding")),)
    enum = class_named(facts, "Demo\\Stream")
    assert enum.kind == "enum"
    assert enum.constants == (
        ("Feedback", Lit("mediawiki.demo_feedback")),
        ("Other", Concat((Lit("mediawiki."), Lit("other")), "concatenation")),
        ("DEFAULT", Member(ClassRef("Demo\\Stream"), "Feedback", static=True)),
    )
    assert class_named(facts, "Demo\\Plain").constants == (("A", Unknown("enum case without a value")),)


def test_anonymous_class_is_a_class_scope():
    facts = php(
        """
$logger = new class( 'x' ) extends Base {
    public function log() { return $this->name; }
};
"""
    )
    klass = facts.classes[0]
    assert klass.name == "<class@2>" and klass.parent == "Base"
    assert facts.calls[0].callee == ClassRef("<class@2>")
    assert facts.calls[0].args == (Lit("x"),)
    assert scope_named(facts, "<class@2>::log").cls == "<class@2>"


# --- calls -----------------------------------------------------------------------------------


def test_calls_of_every_kind():
    facts = php(
        """
class Demo {
    public function run( $experimentManager, $args ) {
        $experimentManager?->getExperiment( 'demo-test' );
        $this->submitter->submit( stream: 'mediawiki.demo', event: [] );
        sprintf( '%s.%s', ...$args );
        $strlen = strlen( ... );
        $obj->$method( 1 );
    }
}
"""
    )
    run = scope_named(facts, "Demo::run").id
    assert [c.callee for c in facts.calls] == [
        Member(Ref("$experimentManager", run), "getExperiment"),
        Member(Member(This("Demo"), "submitter"), "submit"),
        Ref("sprintf", run),
        Index(Ref("$obj", run), Ref("$method", run)),
    ]
    named = facts.calls[1]
    assert named.args == () and named.named == (("stream", Lit("mediawiki.demo")), ("event", Arr(())))
    assert facts.calls[2].args == (Lit("%s.%s"), Unknown("spread argument"))
    assert value_of(facts, "$strlen") == Unknown("first-class callable")


def test_nested_calls_are_lowered_inside_arguments_and_receivers():
    facts = php(
        """
$x = MediaWikiServices::getInstance()->getService( 'EventLogging.EventSubmitter' );
"""
    )
    get_instance = Call(Member(ClassRef("MediaWikiServices"), "getInstance", static=True))
    assert value_of(facts, "$x") == Call(Member(get_instance, "getService"), (Lit("EventLogging.EventSubmitter"),))
    assert [c.callee for c in facts.calls] == [
        Member(get_instance, "getService"),
        Member(ClassRef("MediaWikiServices"), "getInstance", static=True),
    ]


def test_call_spans_start_at_the_callee_or_at_a_chained_method_name():
    source = """<?php
class Stats {
    public function record() {
        MediaWikiServices::getInstance()->getStatsFactory()
            ->withComponent( 'Demo' )
            ->getCounter( 'views_total' )
            ->increment();
        $this->stats
            ->getTiming( 'render_seconds' );
        $x = new   Thing( 1,
            2 );
    }
}
"""
    facts = lower(source)
    by_name = {
        (c.callee.prop if isinstance(c.callee, Member) else c.callee.name): c for c in facts.calls
    }
    counter = by_name["getCounter"]
    assert (counter.span.line, counter.span.column, counter.span.end_line) == (6, 15, 6)
    assert counter.snippet == "MediaWikiServices::getInstance()->getStatsFactory()"
    assert by_name["increment"].span.line == 7
    assert by_name["getInstance"].span.line == 4
    assert (by_name["getInstance"].span.column, by_name["getStatsFactory"].span.column) == (9, 43)
    timing = by_name["getTiming"]
    assert (timing.span.line, timing.span.column, timing.span.end_line) == (8, 9, 9)
    thing = by_name["Thing"]
    assert (thing.span.line, thing.span.column, thing.span.end_line, thing.snippet) == (10, 20, 11, "new   Thing( 1,")


# --- expressions -----------------------------------------------------------------------------


def test_single_and_double_quoted_strings():
    facts = php(
        r"""
$a = 'it\'s a \\ backslash and \n no newline';
$b = "tab\there \$schema \x41\u{e9}\101 \q";
$c = b'binary';
$d = "";
"""
    )
    assert value_of(facts, "$a") == Lit("it's a \\ backslash and \\n no newline")
    assert value_of(facts, "$b") == Lit("tab\there $schema A\u00e9A \\q")
    assert value_of(facts, "$c") == Lit("binary")
    assert value_of(facts, "$d") == Lit("")


def test_interpolated_strings():
    facts = php(
        """
class Logger {
    public function log( $wiki, $type, $row ) {
        $a = "CirrusSearch.$wiki.backend_failure.{$type}";
        $b = "{$this->prefix}_total";
        $c = "row $row[id] and {$row['name']}";
        $d = "multi
line $type";
    }
}
"""
    )
    scope = scope_named(facts, "Logger::log").id
    assert value_of(facts, "$a") == Concat(
        (Lit("CirrusSearch."), Ref("$wiki", scope), Lit(".backend_failure."), Ref("$type", scope)), "interpolation"
    )
    assert value_of(facts, "$b") == Concat((Member(This("Logger"), "prefix"), Lit("_total")), "interpolation")
    assert value_of(facts, "$c") == Concat(
        (Lit("row "), Member(Ref("$row", scope), "id"), Lit(" and "), Member(Ref("$row", scope), "name")),
        "interpolation",
    )
    assert value_of(facts, "$d") == Concat((Lit("multi\nline "), Ref("$type", scope)), "interpolation")


def test_heredoc_and_nowdoc():
    facts = php(
        """
$a = <<<EOT
    stats.{$name}.total
      indented "quoted" \\t
    EOT;
$b = <<<'EOT'
  raw $name \\t
  EOT;
$c = <<<"EOT"
plain
EOT;
"""
    )
    assert value_of(facts, "$a") == Concat(
        (Lit("stats."), Ref("$name", MODULE_SCOPE), Lit('.total\n  indented "quoted" \t')), "interpolation"
    )
    assert value_of(facts, "$b") == Lit("raw $name \\t")
    assert value_of(facts, "$c") == Lit("plain")


def test_concatenation_conditions_and_match():
    facts = php(
        """
$a = 'mediawiki.' . $wiki . '.' . Config::NAME;
$b = $flag ? 'a' : 'b';
$c = $name ?: 'default';
$d = $name ?? 'fallback';
$e = match ( $kind ) {
    'x', 'y' => 'stream.x',
    default => 'stream.other',
};
$f = (string)( 'cast' );
$g = @$undefined;
$h = $a || $b;
$i = -1;
"""
    )
    assert value_of(facts, "$a") == Concat(
        (Lit("mediawiki."), Ref("$wiki", 0), Lit("."), Member(ClassRef("Config"), "NAME", static=True)),
        "concatenation",
    )
    assert value_of(facts, "$b") == Cond((Lit("a"), Lit("b")))
    assert value_of(facts, "$c") == Cond((Ref("$name", 0), Lit("default")))
    assert value_of(facts, "$d") == Cond((Ref("$name", 0), Lit("fallback")))
    assert value_of(facts, "$e") == Cond((Lit("stream.x"), Lit("stream.other")))
    assert value_of(facts, "$f") == Lit("cast")
    assert value_of(facts, "$g") == Ref("$undefined", 0)
    assert value_of(facts, "$h") == Unknown("'||' expression")
    assert value_of(facts, "$i") == Lit(-1)


def test_arrays_become_objects_when_keyed_and_lists_otherwise():
    facts = php(
        """
$event = [
    '$schema' => '/analytics/demo/1.0.0',
    "meta" => array( 'stream' => 'mediawiki.demo' ),
    self::KEY => 'computed keys are left out',
    'positional',
];
$list = [ 'a', 'b', ...$more ];
$merged = [ ...$base, 'action' => 'click' ];
"""
    )
    assert value_of(facts, "$event") == Obj(
        (
            ("$schema", Lit("/analytics/demo/1.0.0")),
            ("meta", Obj((("stream", Lit("mediawiki.demo")),))),
            ("0", Lit("positional")),
        )
    )
    assert value_of(facts, "$list") == Arr((Lit("a"), Lit("b"), Unknown("spread element")))
    assert value_of(facts, "$merged") == Obj((("action", Lit("click")),), (Ref("$base", 0),))


def test_element_and_property_assignments_are_member_assigns():
    facts = php(
        """
class Logger {
    public function log() {
        $event = [ 'action' => 'view' ];
        $event['$schema'] = '/analytics/demo/1.0.0';
        $event['meta']['stream'] = 'mediawiki.demo';
        $event[] = 'appended';
        $this->stream = 'mediawiki.demo';
        self::$count = 1;
    }
}
"""
    )
    scope = scope_named(facts, "Logger::log").id
    assert [(a.target, a.value) for a in facts.member_assigns] == [
        (Member(Ref("$event", scope), "$schema"), Lit("/analytics/demo/1.0.0")),
        (Member(Member(Ref("$event", scope), "meta"), "stream"), Lit("mediawiki.demo")),
        (Member(This("Logger"), "stream"), Lit("mediawiki.demo")),
        (Member(ClassRef("Logger"), "$count", static=True), Lit(1)),
    ]


def test_augmented_assignments_foreach_and_destructuring():
    facts = php(
        """
function f() {
    $name = 'a';
    $name .= 'b';
    $other ??= 'default';
    foreach ( [ 'x', 'y' ] as $item ) {
    }
    foreach ( [ 'k1' => 'v1' ] as $key => &$value ) {
    }
    foreach ( Config::STREAMS as $stream ) {
    }
    [ $first, , $third ] = $pair;
    [ 'stream' => $configured ] = $config;
    static $cache = null;
}
"""
    )
    scope = scope_named(facts, "f").id
    each = Unknown("each element of the loop")
    changed = Unknown("changed by an augmented assignment")
    assert [b.value for b in facts.bindings if b.name == "$name"] == [Lit("a"), changed]
    assert value_of(facts, "$other") == Lit("default")
    assert value_of(facts, "$item") == Index(Arr((Lit("x"), Lit("y"))), each)
    assert value_of(facts, "$key") == Cond((Lit("k1"),))
    assert value_of(facts, "$value") == Index(Obj((("k1", Lit("v1")),)), each)
    assert value_of(facts, "$stream") == Index(Member(ClassRef("Config"), "STREAMS", static=True), each)
    assert [b.kind for b in facts.bindings if b.name in ("$item", "$key", "$value")] == ["loop"] * 3
    assert value_of(facts, "$first") == Index(Ref("$pair", scope), Lit(0))
    assert value_of(facts, "$third") == Index(Ref("$pair", scope), Lit(2))
    assert value_of(facts, "$configured") == Member(Ref("$config", scope), "stream")
    assert value_of(facts, "$cache") == Lit(None)


def test_functions_record_their_returned_values_and_parameter_defaults():
    facts = php(
        """
class Stats {
    private const PREFIX = 'demo_';

    public function getStatsLibKey( string $suffix = self::PREFIX . 'total', $flag = false ) {
        if ( $flag ) {
            return 'demo_flagged';
        }
        return self::PREFIX . $suffix;
    }

    public function noResult(): void {
        $f = fn ( $x ) => $x . '_seconds';
        return;
    }
}
return [ 'ServiceWiring' => 'is the file value, not a function result' ];
"""
    )
    method = scope_named(facts, "Stats::getStatsLibKey")
    prefix = Member(ClassRef("Stats"), "PREFIX", static=True)
    assert method.returns == (Lit("demo_flagged"), Concat((prefix, Ref("$suffix", method.id)), "concatenation"))
    params = [b for b in facts.bindings if b.kind == "param" and b.scope == method.id]
    assert [(b.name, b.value) for b in params] == [
        ("$suffix", Concat((prefix, Lit("total")), "concatenation")),
        ("$flag", Lit(False)),
    ]
    assert scope_named(facts, "Stats::noResult").returns == (Lit(None),)
    arrow = scope_named(facts, "<arrow@13>")
    assert arrow.returns == (Concat((Ref("$x", arrow.id), Lit("_seconds")), "concatenation"),)
    assert facts.scopes[0].returns == ()


def test_comments_strings_and_html_produce_no_calls():
    facts = lower(
        """<p>Docs: EventLogging::submit( 'html', [] )</p>
<?php
// EventLogging::submit( 'line.comment', [] );
# wfIncrStats( 'hash.comment' );
/** $stats->getCounter( 'doc.comment' ) */
$text = "EventLogging::submit( 'in.a.string', [] )";
?>
<div>wfIncrStats( 'after.close.tag' )</div>
"""
    )
    assert facts.calls == ()
    assert facts.problems == ()
    assert value_of(facts, "$text") == Lit("EventLogging::submit( 'in.a.string', [] )")


def test_parse_errors_are_reported_and_the_rest_is_still_lowered():
    facts = php(
        """
function broken( {
}
wfIncrStats( 'still.found' );
"""
    )
    assert [p.code for p in facts.problems] == ["parse-error"]
    assert facts.problems[0].span.line == 2
    assert any(c.args == (Lit("still.found"),) for c in facts.calls)


def test_variables_carry_their_line_and_branch_assignments_are_conditional():
    facts = lower_php("includes/Demo.php", b"""<?php
function pick( $kind ) {
\t$stream = 'mediawiki.a';
\tif ( $kind ) {
\t\t$stream = 'mediawiki.b';
\t}
\treturn $stream;
}
""")
    assignments = [b for b in facts.bindings if b.name == "$stream"]
    assert [(b.line, b.conditional) for b in assignments] == [(3, False), (5, True)]
    function = next(s for s in facts.scopes if s.name == "pick")
    assert function.returns == (Ref("$stream", function.id, 7),)
