; Every import statement anywhere in a module, including those inside functions: the
; module loader parses (in parallel) every local module that any of them can name, before
; the interpreter walks the code.
(import_statement) @import
(import_from_statement) @import
