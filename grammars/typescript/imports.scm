; Module specifiers a TypeScript file depends on (the JavaScript patterns plus TS-only forms).
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

; TypeScript: import x = require('./x')
(import_require_clause source: (string (string_fragment) @spec))
