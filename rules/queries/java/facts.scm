; Nodes the Java frontend lowers into file facts (analyzer/frontends/java.py).
; Capture names are the handler names; captures are processed outermost first. Package and
; imports are read before the captures, from the top of the file.
[
  (class_declaration)
  (interface_declaration)
  (enum_declaration)
  (record_declaration)
  (annotation_type_declaration)
] @class
; the body of an anonymous class (`new Callback() { … }`)
(object_creation_expression (class_body) @class)
[
  (method_declaration)
  (constructor_declaration)
  (compact_constructor_declaration)
  (lambda_expression)
] @function
[
  (method_invocation)
  (object_creation_expression)
] @call
[
  (field_declaration)
  (constant_declaration)
] @field
(local_variable_declaration) @local
(assignment_expression) @assign
(enhanced_for_statement) @for_in
(return_statement) @return
