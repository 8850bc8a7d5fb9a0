// A recording fake of the 'electron' module, only as much as Burrow's main
// process (and electron-store) uses. The built main bundle runs on it under
// plain Node (test/node/app/main.test.ts): every call is recorded, and any
// access to something not faked here throws and is recorded as 'unfaked', so a
// new use of Electron cannot pass unnoticed. The test drives it over the
// child-process IPC channel (see `ops` below).
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';

const calls = [];
const plain = (v, depth = 0) => {
  if (typeof v === 'function') return '[function]';
  if (v === null || typeof v !== 'object' || depth > 6) return v;
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, depth + 1)]));
};
const record = (api, ...args) => calls.push({ api, args: plain(args) });

// Properties JavaScript itself probes (await, JSON, inspection) are not Electron API.
const PROBES = new Set(['then', 'toJSON', 'constructor', 'inspect', 'nodeType', 'asymmetricMatch', '$$typeof']);
function strict(name, target) {
  return new Proxy(target, {
    get(t, p, r) {
      if (typeof p === 'symbol' || p in t || PROBES.has(p)) return Reflect.get(t, p, r);
      record('unfaked', `${name}.${p}`);
      throw new Error(`electron fake: ${name}.${p} is not faked`);
    },
  });
}

// ---- app -------------------------------------------------------------------
class FakeApp extends EventEmitter {
  isPackaged = false;
  dock = undefined;
  _ready = false;
  requestSingleInstanceLock() {
    record('app.requestSingleInstanceLock');
    return true;
  }
  whenReady() {
    return new Promise((resolve) =>
      setImmediate(() => {
        this._ready = true;
        this.emit('ready');
        resolve();
      }),
    );
  }
  isReady() {
    return this._ready;
  }
  getPath(name) {
    if (name !== 'userData') throw new Error(`electron fake: app.getPath('${name}') is not faked`);
    return process.env.BURROW_FAKE_USER_DATA;
  }
  getAppPath() {
    return process.cwd();
  }
  getVersion() {
    return '0.0.0-fake';
  }
  setLoginItemSettings(s) {
    record('app.setLoginItemSettings', s);
  }
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  quit() {
    record('app.quit');
    const e = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('before-quit', e);
    if (e.defaultPrevented) return;
    for (const w of [...windows]) w.close();
    this.emit('will-quit', { preventDefault() {} });
    this.emit('quit');
    send({ event: 'quit' });
    // The process ends a moment later, as Electron's does; work still pending then shows in the record.
    setTimeout(() => process.exit(0), Number(process.env.BURROW_FAKE_EXIT_DELAY_MS ?? 1500));
  }
}
export const app = strict('app', new FakeApp());

// ---- windows ---------------------------------------------------------------
const windows = [];
let nextId = 1;
class FakeWebContents extends EventEmitter {
  id = nextId++;
  windowOpenHandler = null;
  _destroyed = false;
  send(channel, payload) {
    record('webContents.send', channel, payload);
  }
  isDestroyed() {
    return this._destroyed;
  }
  destroy() {
    this._destroyed = true;
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
}
class FakeBrowserWindow extends EventEmitter {
  static getAllWindows() {
    return windows.map((w) => w.proxy);
  }
  static fromWebContents(wc) {
    return windows.find((w) => w.webContents === wc)?.proxy ?? null;
  }
  _visible;
  _destroyed = false;
  constructor(options) {
    super();
    record('BrowserWindow', options);
    this.options = options;
    this._visible = options?.show !== false;
    this.webContents = strict('webContents', new FakeWebContents());
    this.proxy = strict('BrowserWindow', this);
    windows.push(this);
    return this.proxy;
  }
  loadURL(url) {
    record('BrowserWindow.loadURL', url);
    return Promise.resolve();
  }
  show() {
    this._visible = true;
    this.emit('show');
  }
  hide() {
    this._visible = false;
    this.emit('hide');
  }
  focus() {}
  isVisible() {
    return this._visible;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  isDestroyed() {
    return this._destroyed;
  }
  close() {
    const e = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('close', e);
    if (e.defaultPrevented) return;
    this._destroyed = true;
    this.webContents.destroy();
    windows.splice(
      windows.findIndex((w) => w === this || w.proxy === this),
      1,
    );
    this.emit('closed');
  }
}
export const BrowserWindow = FakeBrowserWindow;

// ---- IPC, protocol, session --------------------------------------------------
const handlers = new Map();
export const ipcMain = strict('ipcMain', {
  handle(channel, fn) {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, fn);
  },
  removeHandler(channel) {
    handlers.delete(channel);
  },
  // electron-store answers its renderer helper on this channel.
  on(channel) {
    record('ipcMain.on', channel);
  },
});

let appProtocol = null;
export const protocol = strict('protocol', {
  registerSchemesAsPrivileged(schemes) {
    if (app.isReady()) throw new Error('protocol.registerSchemesAsPrivileged must be called before the app is ready');
    record('protocol.registerSchemesAsPrivileged', schemes);
  },
  handle(scheme, fn) {
    record('protocol.handle', scheme);
    appProtocol = fn;
  },
});

const sessionHandlers = {};
export const session = strict('session', {
  defaultSession: strict('session.defaultSession', {
    setPermissionRequestHandler(fn) {
      sessionHandlers.request = fn;
    },
    setPermissionCheckHandler(fn) {
      sessionHandlers.check = fn;
    },
  }),
});

// ---- tray, menus, images, notifications, dialogs, shell -------------------------
const trays = [];
class FakeTray extends EventEmitter {
  _destroyed = false;
  menu = null;
  constructor(image) {
    super();
    record('Tray', image);
    trays.push(this);
    return strict('Tray', this);
  }
  _use(method, ...args) {
    record(`Tray.${method}`, ...args);
    // Electron throws on a destroyed tray; record it too, since callers may swallow it.
    if (this._destroyed) {
      record('Tray.usedAfterDestroy', method);
      throw new Error('Tray is destroyed');
    }
  }
  setImage(image) {
    this._use('setImage', image);
  }
  setToolTip(text) {
    this._use('setToolTip', text);
  }
  setContextMenu(menu) {
    this._use('setContextMenu');
    this.menu = menu;
  }
  destroy() {
    record('Tray.destroy');
    this._destroyed = true;
  }
  isDestroyed() {
    return this._destroyed;
  }
}
export const Tray = FakeTray;

export const Menu = strict('Menu', {
  buildFromTemplate(template) {
    return strict('Menu instance', { template });
  },
});

export const nativeImage = strict('nativeImage', {
  createFromPath(p) {
    return strict('NativeImage', { path: p, setTemplateImage() {} });
  },
});

class FakeNotification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options) {
    super();
    this.options = options;
    return strict('Notification', this);
  }
  show() {
    record('Notification.show', this.options);
  }
}
export const Notification = FakeNotification;

export const dialog = strict('dialog', {
  async showMessageBox(...args) {
    record('dialog.showMessageBox', args.at(-1));
    return { response: Number(process.env.BURROW_FAKE_MESSAGE_BOX_RESPONSE ?? 0), checkboxChecked: false };
  },
  async showOpenDialog(...args) {
    record('dialog.showOpenDialog', args.at(-1));
    return { canceled: true, filePaths: [] };
  },
});

export const shell = strict('shell', {
  async openExternal(url) {
    record('shell.openExternal', url);
  },
  async openPath(p) {
    record('shell.openPath', p);
    return '';
  },
});

export const powerMonitor = strict('powerMonitor', new EventEmitter());

// No system keychain here: Linux's 'basic_text' backend, which Burrow treats as unavailable.
export const safeStorage = strict('safeStorage', {
  getSelectedStorageBackend: () => 'basic_text',
  isEncryptionAvailable: () => false,
});

const electron = strict('electron', {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  Tray,
  Menu,
  nativeImage,
  Notification,
  dialog,
  shell,
  powerMonitor,
  safeStorage,
});
export default electron;

// ---- control channel: the test drives the fake over process IPC ---------------
function send(m) {
  if (process.send && process.connected) process.send(m);
}

function trayItems(template) {
  return (template ?? []).map((i) => ({
    type: i.type,
    label: i.label,
    checked: i.checked,
    enabled: i.enabled,
    submenu: i.submenu ? trayItems(i.submenu) : undefined,
  }));
}

function findItem(template, labels) {
  let items = template;
  let found;
  for (const want of labels) {
    const re = new RegExp(want);
    found = (items ?? []).find((i) => i.label && re.test(i.label));
    if (!found) throw new Error(`no tray item matches /${want}/ among ${JSON.stringify((items ?? []).map((i) => i.label))}`);
    items = found.submenu;
  }
  return found;
}

const ops = {
  calls: () => calls,
  windows: () => windows.map((w) => ({ options: plain(w.options), visible: w.isVisible() })),
  async invoke({ channel, input, frame }) {
    const fn = handlers.get(channel);
    if (!fn) throw new Error(`no ipcMain handler for '${channel}'`);
    const w = windows[0];
    const senderFrame = frame === null ? null : { url: frame.url, parent: frame.top ? null : { url: 'burrow://app/index.html' } };
    return fn({ senderFrame, sender: w?.webContents }, input);
  },
  handlers: () => [...handlers.keys()],
  tray: () => ({ items: trayItems(trays.at(-1)?.menu?.template), destroyed: trays.at(-1)?.isDestroyed() ?? null }),
  click({ labels }) {
    const item = findItem(trays.at(-1)?.menu?.template, labels);
    if (!item.click) throw new Error(`tray item ${item.label} has no click handler`);
    item.click(item, undefined, {});
    return item.label;
  },
  async appRequest({ url }) {
    const res = await appProtocol(new Request(url));
    const body = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers), body: body.slice(0, 4000) };
  },
  permission: ({ permission, origin }) => sessionHandlers.check(null, permission, origin, {}),
  windowOpen: ({ url }) => windows[0].webContents.windowOpenHandler({ url }),
  navigate({ url }) {
    const e = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    windows[0].webContents.emit('will-navigate', e, url);
    return e.defaultPrevented;
  },
  beforeQuit() {
    const e = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    app.emit('before-quit', e);
    return e.defaultPrevented;
  },
};

// What was recorded, for the test to read after the process has gone.
process.on('exit', () => {
  if (process.env.BURROW_FAKE_RECORD) writeFileSync(process.env.BURROW_FAKE_RECORD, JSON.stringify(calls));
});

process.on('message', async (m) => {
  if (!m || typeof m.id !== 'number') return;
  try {
    const value = await ops[m.op](m.args ?? {});
    send({ id: m.id, ok: true, value: plain(value, -20) });
  } catch (err) {
    send({ id: m.id, ok: false, error: String(err?.stack ?? err) });
  }
});
