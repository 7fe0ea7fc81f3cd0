/**
 * The template environment for kernel C and shim headers: escaping off (this is
 * C, not HTML), every identifier through cIdent at render time ({{id x "where"}}),
 * templates precompiled at build time (src/emit/template-store.ts).
 */
import { cIdent } from "../../kernel/cident.js";
import { cCommentText, createTemplateEnvironment, type TemplateEnvironment } from "../template-store.js";

export { packageRoot, templatesDir } from "../template-store.js";

let env: TemplateEnvironment | undefined;

function environment(): TemplateEnvironment {
  env ??= createTemplateEnvironment({
    helpers: {
      /** The last guard before a name becomes C text. */
      id: (value: unknown, where: unknown) => cIdent(String(value), typeof where === "string" ? where : "template"),
      /** Free text (a path, a title) inside a C comment: cannot close the comment or break the line. */
      comment: (value: unknown, where: unknown) => cCommentText(String(value), typeof where === "string" ? where : "template"),
      eq: (a: unknown, b: unknown) => a === b,
      not: (a: unknown) => !a,
      and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
      or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
    },
    // Every "_"-prefixed file under templates/kernel and templates/shim is a partial,
    // named by its path without extensions ("shim/_head").
    partialAreas: ["kernel", "shim"],
  });
  return env;
}

/** Render templates/<name>.hbs with the view. */
export function render(name: string, view: object): string {
  return environment().render(name, view);
}
