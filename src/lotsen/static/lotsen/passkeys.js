// Passkeys (WebAuthn) for Lotsen's second factor: registering one, and using one after the
// password or to step up. One file, no inline script (the Content-Security-Policy allows
// none). Each block marked data-passkey="register" or "login" carries its endpoints; it is
// hidden until this script knows the browser can use passkeys, so without JavaScript the
// page offers the code form only.

const toBuffer = (value) => {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
};

const toBase64url = (buffer) => {
  if (!buffer) return null;
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const post = async (url, block, body) => {
  const token = block.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    body: body === undefined ? "" : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || String(response.status));
  return data;
};

const creationOptions = (options) => ({
  ...options,
  challenge: toBuffer(options.challenge),
  user: { ...options.user, id: toBuffer(options.user.id) },
  excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: toBuffer(c.id) })),
});

const requestOptions = (options) => ({
  ...options,
  challenge: toBuffer(options.challenge),
  allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: toBuffer(c.id) })),
});

const common = (credential) => ({
  id: credential.id,
  rawId: toBase64url(credential.rawId),
  type: credential.type,
  authenticatorAttachment: credential.authenticatorAttachment || undefined,
  clientExtensionResults: credential.getClientExtensionResults(),
});

const register = async (block) => {
  const options = await post(block.dataset.beginUrl, block);
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  const response = credential.response;
  const result = await post(block.dataset.completeUrl, block, {
    ...common(credential),
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: response.getTransports ? response.getTransports() : [],
    },
  });
  window.location.assign(result.redirect_url || block.dataset.doneUrl);
};

const authenticate = async (block) => {
  const options = await post(block.dataset.beginUrl, block);
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  const response = credential.response;
  const result = await post(block.dataset.completeUrl, block, {
    ...common(credential),
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: toBase64url(response.userHandle),
    },
  });
  window.location.assign(result.redirect_url);
};

const setUp = (block) => {
  const button = block.querySelector("[data-passkey-start]");
  const error = block.querySelector("[data-passkey-error]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    error.hidden = true;
    try {
      await (block.dataset.passkey === "register" ? register(block) : authenticate(block));
    } catch (_problem) {
      error.textContent = block.dataset.errorText;
      error.hidden = false;
      button.disabled = false;
      button.focus();
    }
  });
  block.hidden = false;
};

if (window.PublicKeyCredential && navigator.credentials) {
  for (const note of document.querySelectorAll("[data-passkey-unsupported]")) note.hidden = true;
  for (const block of document.querySelectorAll("[data-passkey]")) setUp(block);
}
