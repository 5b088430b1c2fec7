; Nodes the Kotlin frontend lowers into file facts (analyzer/frontends/kotlin.py).
; Capture names are the handler names; captures are processed outermost first. Package and
; imports are read before the captures, from the top of the file.
[
  (class_declaration)
  (object_declaration)
  (object_literal)
] @class
[
  (function_declaration)
  (secondary_constructor)
  (anonymous_initializer)
  (getter)
  (setter)
  (anonymous_function)
  (lambda_literal)
] @function
(call_expression) @call
(property_declaration) @property
(assignment) @assign
(for_statement) @for_in
(return_expression) @return
