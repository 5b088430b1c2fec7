; Nodes the JavaScript frontend lowers into file facts (analyzer/frontends/javascript.py).
; Capture names are the handler names; captures are processed outermost first.
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
  (class)
] @class
(call_expression) @call
(new_expression) @call
(variable_declarator) @declarator
(assignment_expression) @assign
(augmented_assignment_expression) @augmented
(for_in_statement) @for_in
(import_statement) @import
(export_statement) @export
(return_statement) @return
