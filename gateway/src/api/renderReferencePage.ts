type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Doc = { [key: string]: Json };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * A self-contained HTML reference (no scripts, no CDN) rendered from the
 * OpenAPI document, so it is exactly as true as the document.
 */
export function renderReferencePage(document: Readonly<Record<string, unknown>>): string {
  const info = (document.info ?? {}) as Doc;
  const paths = (document.paths ?? {}) as { [path: string]: Doc };
  const schemas = ((document.components as Doc | undefined)?.schemas ?? {}) as Doc;
  const webhooks = (document.webhooks ?? {}) as { [name: string]: Doc };
  const operations: { path: string; method: string; op: Doc }[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op && typeof op === 'object' && !Array.isArray(op)) operations.push({ path, method, op: op as Doc });
    }
  }
  const byTag = new Map<string, typeof operations>();
  for (const entry of operations) {
    const tag = String(((entry.op.tags as Json[] | undefined) ?? ['other'])[0]);
    byTag.set(tag, [...(byTag.get(tag) ?? []), entry]);
  }
  const nav = [...byTag]
    .map(
      ([tag, entries]) =>
        `<li><strong>${esc(tag)}</strong><ul>${entries
          .map(
            ({ method, path, op }) =>
              `<li><a href="#${esc(String(op.operationId))}"><code class="m ${method}">${method.toUpperCase()}</code> ${esc(path)}</a></li>`,
          )
          .join('')}</ul></li>`,
    )
    .join('');
  const sections = [...byTag]
    .map(
      ([tag, entries]) =>
        `<h2 id="tag-${esc(tag)}">${esc(tag)}</h2>${entries.map(({ method, path, op }) => renderOperation(method, path, op)).join('')}`,
    )
    .join('');
  const hooks = Object.entries(webhooks)
    .map(([name, item]) => renderOperation('post', name, item.post as Doc, 'webhook'))
    .join('');
  const models = Object.entries(schemas)
    .map(
      ([name, schema]) =>
        `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary><pre>${renderJson(schema)}</pre></details>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(String(info.title ?? 'API'))} reference</title>
<style>${STYLE}</style></head>
<body><nav><p><strong>${esc(String(info.title ?? ''))}</strong> ${esc(String(info.version ?? ''))}</p>
<p><a href="openapi.json">openapi.json</a></p><ul>${nav}<li><a href="#webhooks"><strong>webhook events</strong></a></li><li><a href="#schemas"><strong>schemas</strong></a></li></ul></nav>
<main><h1>${esc(String(info.title ?? ''))}</h1>${paragraphs(String(info.description ?? ''))}
${sections}<h2 id="webhooks">webhook events</h2>${hooks}<h2 id="schemas">schemas</h2>${models}</main></body></html>
`;
}

function renderOperation(method: string, path: string, op: Doc, kind: 'route' | 'webhook' = 'route'): string {
  const parameters = (op.parameters as Doc[] | undefined) ?? [];
  const responses = (op.responses ?? {}) as { [status: string]: Doc };
  const body = op.requestBody as Doc | undefined;
  const scope = op['x-required-scope'];
  const security = op.security as Json[] | undefined;
  // Scoped operations say which scope in their description already.
  const auth =
    kind === 'webhook' || scope
      ? ''
      : `<p class="auth">${security && security.length === 0 ? 'No API key needed.' : 'Any valid API key.'}</p>`;
  const params =
    parameters.length === 0
      ? ''
      : `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>${parameters
          .map(
            (p) =>
              `<tr><td><code>${esc(String(p.name))}</code></td><td>${esc(String(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td><pre>${renderJson(p.schema ?? {})}</pre></td><td>${esc(String(p.description ?? ''))}</td></tr>`,
          )
          .join('')}</table>`;
  const requestBody = body
    ? `<h4>Request body${body.required ? '' : ' (optional)'}</h4>${Object.entries((body.content ?? {}) as Doc)
        .map(([type, media]) => `<p><code>${esc(type)}</code></p><pre>${renderJson((media as Doc).schema ?? {})}</pre>`)
        .join('')}`
    : '';
  const responseRows = Object.entries(responses)
    .map(([status, response]) => {
      const content = Object.entries((response.content ?? {}) as Doc)
        .map(([type, media]) => `<p><code>${esc(type)}</code></p><pre>${renderJson((media as Doc).schema ?? {})}</pre>`)
        .join('');
      return `<tr><td><strong>${esc(status)}</strong></td><td>${paragraphs(String(response.description ?? ''))}${content}</td></tr>`;
    })
    .join('');
  return `<section id="${esc(String(op.operationId))}"><h3><code class="m ${method}">${method.toUpperCase()}</code> <code>${esc(path)}</code></h3>
<p>${esc(String(op.summary ?? ''))}</p>${paragraphs(String(op.description ?? ''))}${auth}${params}${requestBody}
<h4>Responses</h4><table>${responseRows}</table></section>`;
}

/** Pretty JSON with `$ref`s turned into links to the schema section. */
function renderJson(value: Json, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    return `[\n${value.map((item) => `${inner}${renderJson(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${entries
      .map(([key, item]) => {
        if (key === '$ref' && typeof item === 'string' && item.startsWith('#/components/schemas/')) {
          const name = item.slice('#/components/schemas/'.length);
          return `${inner}"$ref": <a href="#schema-${esc(name)}">${esc(name)}</a>`;
        }
        return `${inner}${esc(JSON.stringify(key))}: ${renderJson(item, inner)}`;
      })
      .join(',\n')}\n${indent}}`;
  }
  return esc(JSON.stringify(value));
}

function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${esc(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d232a;display:flex}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:300px;flex:none;padding:1rem;background:#f3f5f7;box-sizing:border-box;font-size:13px}
nav ul{list-style:none;padding-left:.5rem;margin:.25rem 0}nav a{color:inherit;text-decoration:none}
main{padding:1rem 2rem;max-width:1100px;min-width:0}
section{border-top:1px solid #d8dde3;padding:.5rem 0 1rem}
code{font:13px ui-monospace,monospace;background:#eef1f4;padding:0 .2em;border-radius:3px}
pre{font:12px/1.4 ui-monospace,monospace;background:#f7f8fa;padding:.5rem;overflow:auto;margin:.25rem 0;max-height:28rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #d8dde3;padding:.25rem .5rem;vertical-align:top;text-align:left}
.m{color:#fff;font-weight:600}.get{background:#2f6f9f}.post{background:#2f8f5f}.delete{background:#a23b3b}.put,.patch{background:#8f6f2f}
.auth{color:#555}details{margin:.25rem 0}
`;
