// Internal to src/hcl: shared between the native parser, the JSON syntax
// mapping and the evaluator.
#pragma once

#include "gatehouse/hcl.h"

namespace gatehouse::hcl {

// How quoted strings are read: native HCL (templates, HCL escapes), JSON
// syntax for .tf.json (templates, JSON escapes), or plain JSON (no
// templates: plan files).
enum class Mode { kNative, kJsonTemplate, kJsonLiteral };

// Parses the whole source of `f` as one expression; null on error (the
// error is in f->errors).
Expr* ParseExpressionInto(File* f, Mode mode, const ParseOptions& options);

}  // namespace gatehouse::hcl
