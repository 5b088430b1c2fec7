; Nodes the PHP frontend lowers into file facts (analyzer/frontends/php.py).
; Capture names are the handler names; captures are processed outermost first.
[
  (function_definition)
  (method_declaration)
  (anonymous_function)
  (arrow_function)
] @function
[
  (class_declaration)
  (interface_declaration)
  (trait_declaration)
  (enum_declaration)
  (anonymous_class)
] @class
[
  (function_call_expression)
  (member_call_expression)
  (nullsafe_member_call_expression)
  (scoped_call_expression)
  (object_creation_expression)
] @call
[
  (assignment_expression)
  (reference_assignment_expression)
] @assign
(augmented_assignment_expression) @augmented
(foreach_statement) @foreach
(static_variable_declaration) @static_variable
(return_statement) @return
(namespace_definition) @namespace
(namespace_use_declaration) @use
(const_declaration) @const
