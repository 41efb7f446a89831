/**
 * nginx, one worker, as the benchmarks and the replica test run it: serving given bytes as static
 * files (the anchor a Node server is measured against), or as the reverse proxy in front of ipurl
 * replicas. Each instance names its files after its port, so one folder holds several.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, waitFor } from './local-process.js';

/** Bytes nginx serves as they are, with their Content-Type (and Content-Encoding when gzip). */
export interface StaticFile {
  readonly path: string;
  readonly body: Buffer;
  readonly type: string;
  readonly gzip?: boolean;
}

/** The ipurl replicas nginx balances over, on keepalive connections. */
export interface Upstreams {
  /** Base URLs of the replicas (`http://127.0.0.1:PORT`). */
  readonly replicas: readonly string[];
  /** Idle connections nginx keeps open to the replicas. */
  readonly keepalive: number;
  /** Written after each replica's address, e.g. `max_fails=1 fail_timeout=5s`. */
  readonly serverParameters?: string;
  /** More directives for the proxying location (forwarded headers, retries). */
  readonly directives?: readonly string[];
}

export type NginxSite =
  { readonly files: readonly StaticFile[] } | { readonly upstreams: Upstreams };

export interface RunningNginx {
  readonly base: string;
  readonly child: ChildProcess;
}

function staticServer(root: string, files: readonly StaticFile[]): string {
  const locations = files.map((file) => {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
    const encoding = file.gzip === true ? ' add_header Content-Encoding gzip;' : '';
    return `    location = ${file.path} { default_type "${file.type}";${encoding} add_header Cache-Control "public, max-age=3600"; }`;
  });
  return `    root ${root};\n${locations.join('\n')}`;
}

function proxyServer(upstreams: Upstreams): { upstream: string; server: string } {
  const parameters =
    upstreams.serverParameters === undefined ? '' : ` ${upstreams.serverParameters}`;
  const servers = upstreams.replicas.map(
    (base) => `    server ${new URL(base).host}${parameters};`,
  );
  const directives = (upstreams.directives ?? []).map((directive) => `      ${directive}`);
  return {
    upstream: `  upstream ipurl {\n${servers.join('\n')}\n    keepalive ${upstreams.keepalive};\n  }\n`,
    server: [
      '    location / {',
      '      proxy_pass http://ipurl;',
      '      proxy_http_version 1.1;',
      '      proxy_set_header Connection "";',
      ...directives,
      '    }',
    ].join('\n'),
  };
}

/** The configuration of one instance listening on `port`, its files kept in `dir`. */
export function nginxConfig(dir: string, port: number, site: NginxSite): string {
  const { upstream, server } =
    'files' in site
      ? { upstream: '', server: staticServer(join(dir, `www-${port}`), site.files) }
      : proxyServer(site.upstreams);
  return `worker_processes 1;
pid ${join(dir, `nginx-${port}.pid`)};
error_log ${join(dir, `nginx-${port}-error.log`)} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  # nginx closes a client connection after 1,000 requests by default; a load client that has
  # already written its next request then reads ECONNRESET, which is nginx's cap, not the server's.
  keepalive_requests 1000000;
  client_body_temp_path ${join(dir, 'nginx-body')};
  proxy_temp_path ${join(dir, 'nginx-proxy')};
  fastcgi_temp_path ${join(dir, 'nginx-fastcgi')};
  uwsgi_temp_path ${join(dir, 'nginx-uwsgi')};
  scgi_temp_path ${join(dir, 'nginx-scgi')};
  types { }
${upstream}  server {
    listen 127.0.0.1:${port};
${server}
  }
}
`;
}

/**
 * Starts nginx in the foreground on a free port; resolves once it answers (a static site's first
 * file, a proxy's `/ready` through the replicas). The caller stops `child`.
 */
export async function startNginx(dir: string, site: NginxSite): Promise<RunningNginx> {
  const port = await freePort();
  const conf = join(dir, `nginx-${port}.conf`);
  writeFileSync(conf, nginxConfig(dir, port, site));
  const child = spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}${'files' in site ? site.files[0]!.path : '/ready'}`);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { base, child };
}
