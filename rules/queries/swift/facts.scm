; Nodes the Swift frontend lowers into file facts (analyzer/frontends/swift.py).
; Capture names are the handler names; captures are processed outermost first.
[
  (function_declaration)
  (init_declaration)
  (deinit_declaration)
  (lambda_literal)
  (computed_property)
  (willset_clause)
  (didset_clause)
] @function
[
  (class_declaration)
  (protocol_declaration)
] @class
[
  (call_expression)
  (constructor_expression)
] @call
(property_declaration) @declarator
(assignment) @assign
[
  (if_statement)
  (guard_statement)
  (while_statement)
] @conditional
(for_statement) @for_in
(control_transfer_statement) @return
