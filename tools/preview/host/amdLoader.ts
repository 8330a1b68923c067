/**
 * The part of Grafana's SystemJS that a plugin bundle relies on: `define` with
 * a list of shared module names, resolved to the page's own instances, plus
 * the AMD `module` meta object whose `uri` the bundle's public path is set from.
 */

type Factory = (...deps: unknown[]) => unknown;

interface Pending {
  resolve: (exports: unknown) => void;
  reject: (error: Error) => void;
}

/** Dependencies the loader answers itself rather than from the shared modules. */
const META_DEPENDENCIES = new Set(['module', 'exports', 'require']);

export interface AmdLoader {
  /** Loads an AMD module by URL with a script tag and resolves with what its factory returned. */
  load(url: string): Promise<unknown>;
}

export function installAmdLoader(shared: Readonly<Record<string, unknown>>): AmdLoader {
  const pending = new Map<string, Pending>();

  function define(...args: unknown[]): void {
    const factory = args[args.length - 1];
    const deps = Array.isArray(args[args.length - 2]) ? (args[args.length - 2] as string[]) : [];
    // An anonymous define runs while its own script executes, so the current script names the module.
    const url = (document.currentScript as HTMLScriptElement | null)?.src ?? '';
    const waiting = pending.get(url);
    if (!waiting) {
      throw new Error(`define() called outside a module the loader is loading (script: ${url || 'inline'})`);
    }
    pending.delete(url);
    try {
      waiting.resolve(instantiate(url, deps, factory, shared));
    } catch (error) {
      waiting.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  define.amd = {};
  Object.assign(window, { define });

  return {
    load(url) {
      const absolute = new URL(url, document.baseURI).href;
      return new Promise((resolve, reject) => {
        pending.set(absolute, { resolve, reject });
        const script = document.createElement('script');
        script.src = absolute;
        script.onerror = () => {
          pending.delete(absolute);
          reject(new Error(`could not load ${absolute}`));
        };
        script.onload = () => {
          if (pending.delete(absolute)) {
            reject(new Error(`${absolute} loaded but never called define()`));
          }
        };
        document.head.appendChild(script);
      });
    },
  };
}

function instantiate(
  url: string,
  deps: string[],
  factory: unknown,
  shared: Readonly<Record<string, unknown>>
): unknown {
  const missing = deps.filter((dep) => !META_DEPENDENCIES.has(dep) && !(dep in shared));
  if (missing.length > 0) {
    throw new Error(`${url} needs modules the host does not provide: ${missing.join(', ')}`);
  }
  const exports: Record<string, unknown> = {};
  const meta = { id: url, uri: url, exports };
  const values = deps.map((dep) =>
    dep === 'module' ? meta : dep === 'exports' ? exports : dep === 'require' ? requireShared(shared) : shared[dep]
  );
  if (typeof factory !== 'function') {
    return factory;
  }
  const result = (factory as Factory)(...values);
  return result ?? meta.exports;
}

function requireShared(shared: Readonly<Record<string, unknown>>) {
  return (name: string) => {
    if (!(name in shared)) {
      throw new Error(`require(${JSON.stringify(name)}): not a module the host provides`);
    }
    return shared[name];
  };
}
