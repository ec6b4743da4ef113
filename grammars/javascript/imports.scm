; Module specifiers a JavaScript file depends on. Captured: @spec (the string's text).
; Used to load the local module graph before analysis; packages are filtered afterwards.

(import_statement source: (string (string_fragment) @spec))
(export_statement source: (string (string_fragment) @spec))

; require('./x'), require("./x")
((call_expression
   function: (identifier) @fn
   arguments: (arguments . (string (string_fragment) @spec)))
 (#eq? @fn "require"))

; await import('./x')
(call_expression
  function: (import)
  arguments: (arguments . (string (string_fragment) @spec)))
