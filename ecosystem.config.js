// PM2 process file. Read after `npm run build`: it takes its numbers from Chirp's one
// validated config module (API_INSTANCES, WORKER_INSTANCES), so a bad value stops here too.
const { config } = require('./dist/config');

// PM2 sends SIGINT and waits kill_timeout before SIGKILL; the processes finish in-flight
// requests and jobs within 9 s of the signal.
const common = { kill_timeout: 10000, merge_logs: true, autorestart: true };

module.exports = {
  apps: [
    {
      name: 'api',
      script: 'dist/app/index.js',
      exec_mode: 'cluster',
      instances: config.apiInstances,
      // The API sends `ready` once it listens: reloads wait for it before stopping the old one.
      wait_ready: true,
      listen_timeout: 20000,
      ...common,
    },
    {
      name: 'worker',
      script: 'dist/workers/index.js',
      exec_mode: 'fork',
      instances: config.workerInstances,
      wait_ready: true,
      listen_timeout: 20000,
      ...common,
    },
  ],
};
