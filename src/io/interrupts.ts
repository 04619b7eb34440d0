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
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

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

    // Installed when the first undo step is registered, and kept: removing them when the
    // list empties could drop a signal already received but not yet handled (Node delivers it
    // on a later turn, to whatever listeners exist then), and a Ctrl-C would be lost. With
    // nothing to undo the handler simply re-raises the signal, as Node's default would end it.
    protected override changed(): void {
      if (this.size > 0 && !this.#installed) {
        for (const s of SIGNALS) proc.on(s, this.#handler);
        this.#installed = true;
      }
    }

    #uninstall(): void {
      for (const s of SIGNALS) proc.off(s, this.#handler);
      this.#installed = false;
    }
  }
  return new ProcessUndoList();
}
