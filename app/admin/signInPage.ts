import { BOARD_PATH } from './access';

/**
 * Where the sign-in page's script is served: outside `BOARD_PATH/`, which only a signed-in
 * admin may read, and as a file because the CSP (koa-helmet) forbids inline scripts.
 */
export const SIGN_IN_SCRIPT_PATH = '/admin/sign-in.js';

// POSTs the token as JSON, so it never lands in a URL (access logs, browser history). The
// form's own method is POST too: without the script it sends a form body, which is refused.
export const SIGN_IN_JS = `document.getElementById('sign-in').addEventListener('submit', function (event) {
  event.preventDefault();
  var status = document.getElementById('status');
  var token = document.getElementById('token').value.trim();
  status.textContent = 'Signing in...';
  fetch('${BOARD_PATH}', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ token: token }),
  })
    .then(function (response) {
      if (response.status === 204) return window.location.assign('${BOARD_PATH}/');
      return response.json().then(function (problem) {
        status.textContent = problem.detail || problem.title || 'Sign-in failed.';
      });
    })
    .catch(function () {
      status.textContent = 'The server did not answer; try again.';
    });
});
`;

export const SIGN_IN_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="referrer" content="no-referrer" />
    <title>Chirp queues: sign in</title>
  </head>
  <body>
    <h1>Chirp queues</h1>
    <p>Paste an access token of an admin account (grant the role with
      <code>npm run admin:grant -- &lt;username&gt;</code>).</p>
    <form id="sign-in" method="post" action="${BOARD_PATH}">
      <label for="token">Access token</label>
      <input id="token" name="token" type="password" autocomplete="off" required />
      <button type="submit">Sign in</button>
    </form>
    <p id="status" role="status"></p>
    <script src="${SIGN_IN_SCRIPT_PATH}"></script>
  </body>
</html>
`;
