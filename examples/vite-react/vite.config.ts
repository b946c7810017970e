import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv, type Plugin } from 'vite';

export default defineConfig(({ mode }) => {
  // SANDPROC_* from the environment or .env files. Only VITE_* variables reach the browser
  // bundle, so the token stays in this Node process.
  const env = loadEnv(mode, process.cwd(), 'SANDPROC_');
  return {
    plugins: [react(), sameOriginOnly('/sandbox')],
    server: {
      proxy: {
        // The page calls /sandbox/process…; the dev server forwards it to the sandbox with the token.
        '/sandbox': {
          target: env.SANDPROC_URL ?? 'http://127.0.0.1:8080',
          changeOrigin: true,
          rewrite: (path) => path.replace(/^\/sandbox/, ''),
          headers: { Authorization: `Bearer ${env.SANDPROC_TOKEN ?? ''}` },
          // The sandbox refuses browser origins it does not know; this request now comes from here.
          configure: (proxy) => proxy.on('proxyReq', (request) => request.removeHeader('origin')),
        },
      },
    },
  };
});

/** Only this app's own pages may use the proxy: a page on another site must not run commands. */
function sameOriginOnly(prefix: string): Plugin {
  return {
    name: 'sandbox-same-origin-only',
    configureServer(server) {
      server.middlewares.use(prefix, (request, response, next) => {
        const origin = request.headers.origin;
        if (origin === undefined || origin === `http://${request.headers.host}`) return next();
        response.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"cross-origin request refused"}');
      });
    },
  };
}
