/**
 * The page's only style sheet and script, inlined (closed networks: no external assets). The
 * server sends a Content-Security-Policy allowing exactly these two by hash, so nothing else can
 * run or style the page even if data ever slipped through unescaped.
 */

export const PAGE_CSS = `
:root{color-scheme:light;--fg:#1b1b1b;--muted:#5c5c5c;--line:#d6d6d6;--head:#f3f4f6;--accent:#0f5fb3;--zebra:#fafafa;--warn-bg:#fff4ce;--warn-line:#e0b400;--info-bg:#e8f1fb;--info-line:#8ab4e6}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;font-size:15px;line-height:1.5;color:var(--fg);background:#fff}
body{margin:0}
a{color:var(--accent)}
a:focus-visible,select:focus-visible,button:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}
.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
header.top{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:center;justify-content:space-between;padding:10px 24px;border-bottom:1px solid var(--line);background:var(--head)}
nav.instances ul{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;margin:0;padding:0}
nav.instances a[aria-current=page]{font-style:italic;font-weight:600;color:var(--fg);text-decoration:none}
.tag{display:inline-block;font-size:.75rem;padding:0 6px;border-radius:8px;border:1px solid var(--warn-line);background:var(--warn-bg);color:#5b4700;margin-left:4px;vertical-align:1px}
main{max-width:1280px;margin:0 auto;padding:8px 24px 32px}
h1{font-size:1.75rem;line-height:1.25;margin:18px 0 8px}
h2{font-size:1.3rem;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:20px 0 6px}
.lead{font-size:1.05rem;color:var(--muted);max-width:80ch}
.banner{border:1px solid var(--info-line);background:var(--info-bg);padding:8px 12px;border-radius:4px;margin:12px 0}
.banner.retired{border-color:var(--warn-line);background:var(--warn-bg)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:12px 0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
form.version-picker{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:12px 0;padding:8px 12px;border:1px solid var(--line);border-radius:4px;background:var(--zebra)}
form.version-picker label{font-weight:600}
form.version-picker select{font:inherit;padding:2px 4px;max-width:100%}
form.version-picker button{font:inherit;padding:2px 12px}
form.version-picker .help{color:var(--muted);font-size:.9rem}
.js form.version-picker button{display:none}
nav.toc ul{display:flex;flex-wrap:wrap;gap:4px 18px;padding:0;margin:4px 0;list-style:none}
.about p{max-width:90ch}
dl.columns{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}
dl.columns dt{font-weight:600}
dl.columns dd{margin:0;max-width:90ch}
ul.categories{padding-left:20px}
table{border-collapse:collapse;width:100%;margin:8px 0 4px}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
thead th{background:var(--head);position:sticky;top:0}
tbody tr:nth-child(even){background:var(--zebra)}
tbody tr:target{background:#fff9c4;outline:2px solid var(--warn-line)}
td.id{white-space:nowrap;font-variant-numeric:tabular-nums}
td.id a{text-decoration:none}
td.ports,td.er{white-space:nowrap}
td.ports{width:1%}
table.sets td.category{min-width:13rem;max-width:22rem}
td.addresses{overflow-wrap:normal;word-break:normal}
.addr li.pending code{background:var(--warn-bg);box-shadow:0 0 0 1px var(--warn-line)}
.pending-mark{display:inline-block;font-size:.75rem;line-height:1.3;padding:0 5px;border-radius:8px;border:1px solid var(--warn-line);background:var(--warn-bg);color:#5b4700;white-space:nowrap}
.addr{margin:0;padding:0;list-style:none}
.addr li{display:inline}
.addr li:not(:last-child)::after{content:", "}
.addr+.addr{margin-top:6px}
code{font-family:ui-monospace,"Cascadia Mono","DejaVu Sans Mono",Consolas,monospace;font-size:.86rem}
.cat{display:inline-block;font-weight:600;padding:0 6px;border-radius:3px}
.cat-Optimize{background:#dff6dd;color:#0b5a08}
.cat-Allow{background:#deecf9;color:#0b4a8f}
.cat-Default{background:#eeeeee;color:#3b3b3b}
.req{color:var(--muted)}
.note{margin-top:4px;white-space:pre-line;max-width:60ch;overflow-wrap:anywhere}
.count{color:var(--muted);font-size:.9rem;margin:0}
table.changes td{font-size:.92rem;overflow-wrap:break-word}
table.changes ul{margin:0;padding-left:18px}
table.changes ul.addr{padding-left:0}
table.changes td.addresses{min-width:16rem}
table.changes td.change{min-width:9rem}
table.changes td.effective{white-space:nowrap}
footer{max-width:1280px;margin:0 auto;padding:16px 24px 32px;color:var(--muted);font-size:.9rem;border-top:1px solid var(--line)}
@media (max-width:640px){header.top,main,footer{padding-left:12px;padding-right:12px}table.sets,table.changes,table.instances,table.sets tbody,table.changes tbody,table.instances tbody,table.sets tr,table.changes tr,table.instances tr,table.sets td,table.changes td,table.instances td{display:block;width:auto;min-width:0;max-width:none}table.sets thead,table.changes thead,table.instances thead{position:absolute;left:-9999px;top:auto}table.sets tr,table.changes tr,table.instances tr{border:1px solid var(--line);margin:0 0 8px;padding:4px 10px}table.sets td,table.changes td,table.instances td{border:0;padding:3px 0}td[data-label]::before{content:attr(data-label);display:block;font-size:.78rem;font-weight:600;color:var(--muted)}table.sets td:empty,table.changes td:empty{display:none}dl.facts,dl.columns{grid-template-columns:1fr}}
@media print{header.top,form.version-picker,nav.toc,.skip{display:none}thead th{position:static}}
`;

/** Progressive enhancement only: the picker works as a plain GET form without it. */
export const PAGE_SCRIPT = `
document.documentElement.classList.add('js');
for (const select of document.querySelectorAll('select[data-autosubmit]')) {
  select.addEventListener('change', () => { if (select.form) select.form.submit(); });
}
`;
