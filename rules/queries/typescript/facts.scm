; Nodes the TypeScript frontend lowers into file facts (analyzer/frontends/javascript.py).
; The same handlers as javascript/facts.scm, with TypeScript's extra node kinds.
[
  (function_declaration)
  (generator_function_declaration)
  (function_expression)
  (generator_function)
  (arrow_function)
  (method_definition)
] @function
[
  (class_declaration)
  (abstract_class_declaration)
  (class)
] @class
(enum_declaration) @enum
(call_expression) @call
(new_expression) @call
(variable_declarator) @declarator
(assignment_expression) @assign
(augmented_assignment_expression) @augmented
(for_in_statement) @for_in
(import_statement) @import
(export_statement) @export
(return_statement) @return
