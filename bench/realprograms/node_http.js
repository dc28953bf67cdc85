// Node http server and client in one process over 127.0.0.1: GET of a 1 MiB body, a POST of
// 256 KiB, then both close. libuv moves the bytes with read/write/writev.
const http = require('http');
const port = Number(process.argv[2] || 41006);
const body = Buffer.alloc(1 << 20, 'node-http-body-');
const server = http.createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => { n += c.length; });
  req.on('end', () => {
    if (req.method === 'POST') { res.end(`got ${n}\n`); } else { res.end(body); }
  });
});
server.listen(port, '127.0.0.1', () => {
  const agent = new http.Agent({ keepAlive: false });
  http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
    let n = 0;
    res.on('data', (c) => { n += c.length; });
    res.on('end', () => {
      const req = http.request({ host: '127.0.0.1', port, path: '/up', method: 'POST', agent }, (r2) => {
        r2.resume();
        r2.on('end', () => { server.close(); });
      });
      req.end(Buffer.alloc(256 << 10, 'p'));
    });
  });
});
