/**
 * What to undo when envseal is stopped by a signal half-way: a temporary file, a lock, the
 * plaintext folder of `edit`. Undo steps are registered for as long as they matter; on
 * SIGINT, SIGTERM or SIGHUP they run (synchronously: a signal handler cannot wait), then the
 * signal is raised again with no handler left, so envseal ends as a process killed by that
 * signal (exit status 128+n for the shell) and never with a half-written file behind it.
 *
 * While a program owns the terminal (the editor of `edit`), signals are its business:
 * Ctrl-C goes to it, and `runOnTerminal` forwards SIGTERM/SIGHUP and reports them; the
 * command then cleans up on its normal path.
 */
export const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface Interrupts {
  /** Registers a synchronous undo step; the returned function unregisters it. */
  onInterrupt(undo: () => void): () => void;
  /** Runs `work` (a program on the terminal) with envseal's own signal handling set aside. */
  whileInteractive<T>(work: () => Promise<T>): Promise<T>;
}

/** For tests and the library: remembers undo steps, `interrupt()` runs them as a signal would. */
export class UndoList implements Interrupts {
  readonly #undos = new Set<() => void>();
  #interactive = 0;

  get size(): number {
    return this.#undos.size;
  }

  get interactive(): boolean {
    return this.#interactive > 0;
  }

  onInterrupt(undo: () => void): () => void {
    this.#undos.add(undo);
    this.changed();
    return () => {
      this.#undos.delete(undo);
      this.changed();
    };
  }

  async whileInteractive<T>(work: () => Promise<T>): Promise<T> {
    this.#interactive += 1;
    try {
      return await work();
    } finally {
      this.#interactive -= 1;
    }
  }

  /** Runs every undo step, newest first; one that fails does not stop the others. */
  interrupt(): void {
    for (const undo of [...this.#undos].reverse()) {
      try {
        undo();
      } catch {
        // best effort: the others must still run
      }
    }
    this.#undos.clear();
    this.changed();
  }

  /** Called whenever the list changes (processInterrupts installs its handlers on demand). */
  protected changed(): void {}
}

/**
 * The real thing: handlers on the process from the first undo step on, so a command that
 * writes nothing keeps Node's default behaviour.
 */
export function processInterrupts(proc: NodeJS.Process): Interrupts {
  class ProcessUndoList extends UndoList {
    #installed = false;

    readonly #handler = (signal: NodeJS.Signals): void => {
      if (this.interactive) return;
      this.interrupt();
      this.#uninstall();
      proc.kill(proc.pid, signal);
    };

    // Installed when the first undo step is registered. When the list empties they stay for
    // one more turn of the event loop: a signal already received is delivered on a later turn
    // (Node reads it in the loop's poll phase), and removing the handlers before then would
    // lose it — a Ctrl-C ignored, or a process that ends with 0 although it was stopped. Two
    // setImmediate hops guarantee a poll phase in between; the handler re-raises the signal,
    // and once they are removed Node's default ends the process at once, as it should.
    protected override changed(): void {
      if (this.size > 0 && !this.#installed) {
        for (const s of SIGNALS) proc.on(s, this.#handler);
        this.#installed = true;
      } else if (this.size === 0 && this.#installed) {
        setImmediate(() => setImmediate(() => {
          if (this.size === 0 && this.#installed) this.#uninstall();
        }));
      }
    }

    #uninstall(): void {
      for (const s of SIGNALS) proc.off(s, this.#handler);
      this.#installed = false;
    }
  }
  return new ProcessUndoList();
}
