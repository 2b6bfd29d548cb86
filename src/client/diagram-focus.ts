import { itemAt, moveForKey, refOf, step, type ItemRef, type Move } from '../viz/sequence-focus.ts';
import type { Arrow, Mark, SequenceModel } from '../viz/sequence-model.ts';

/**
 * A sequence diagram as one tab stop (a roving tabindex). The item that holds it is the one last
 * focused, or else the newest; arrow keys, Home and End move it. The diagram's scroll box holds
 * the tab stop itself only while that item is not drawn (a windowed diagram scrolled away from it,
 * or nothing drawn yet), and hands keyboard focus on to the item, scrolling to it.
 */
export type DiagramFocus = {
  /** The item that holds the tab stop in this model. */
  item(model: SequenceModel): Arrow | Mark | undefined;
  /** Its id, to pass to sequenceDiagram as `roving`. */
  roving(model: SequenceModel): string | undefined;
  onMove(item: Arrow | Mark, move: Move): void;
  onFocusItem(item: Arrow | Mark): void;
  /** After every draw: who holds the tab stop, and focus back in the box if a redraw removed the focused item. */
  drawn(): void;
  /** Focus the item that holds the tab stop (the one whose details just closed), or `move` to another first. */
  focus(move?: Move): void;
  /** Whether keyboard focus is on an item: the caller should not scroll the diagram away from it. */
  holding(): boolean;
};

export type DiagramHost = {
  model: () => SequenceModel;
  /** Draws the diagram with the item's row on screen, scrolling there first if only a window of rows is drawn. */
  reveal: (item: Arrow | Mark) => void;
};

export function bindDiagramFocus(box: HTMLElement, body: SVGSVGElement, host: DiagramHost): DiagramFocus {
  let ref: ItemRef | undefined;
  /** The item element that last had focus, to notice a redraw removing it. */
  let focused: Element | undefined;
  /** Set while this code focuses the box itself, so the box does not hand focus on. */
  let quiet = false;

  const current = (model: SequenceModel) => itemAt(model, ref) ?? itemAt(model, step(model, ref, 'last'));
  const elementOf = (item: Arrow | Mark) => body.querySelector<SVGGElement>(`[data-item="${CSS.escape(item.id)}"]`);

  function focusBox(): void {
    quiet = true;
    box.focus({ preventScroll: true });
    quiet = false;
  }

  function show(item: Arrow | Mark): void {
    host.reveal(item);
    const element = elementOf(item);
    if (element === null) focusBox();
    else element.focus();
  }

  function focus(move?: Move): void {
    const model = host.model();
    if (move !== undefined) ref = step(model, ref, move);
    const item = current(model);
    if (item !== undefined) show(item);
  }

  box.addEventListener('focus', () => {
    // A click on the diagram's background focuses the box too; only the keyboard is handed on.
    if (!quiet && box.matches(':focus-visible')) focus();
  });
  box.addEventListener('keydown', (event) => {
    if (event.target !== box || event.altKey || event.ctrlKey || event.metaKey || moveForKey(event.key) === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    focus();
  });

  return {
    item: current,
    roving: (model) => current(model)?.id,
    onMove(item, move) {
      const model = host.model();
      const next = step(model, refOf(model, item) ?? ref, move);
      const target = itemAt(model, next);
      if (target === undefined) return;
      ref = next;
      show(target);
    },
    onFocusItem(item) {
      const element = elementOf(item);
      focused = element ?? undefined;
      ref = refOf(host.model(), item) ?? ref;
      // Hand the tab stop over at once; the next draw says the same.
      for (const other of body.querySelectorAll('[tabindex="0"]')) if (other !== element) other.setAttribute('tabindex', '-1');
      element?.setAttribute('tabindex', '0');
      box.tabIndex = -1;
    },
    drawn() {
      box.tabIndex = body.querySelector('[tabindex="0"]') === null ? 0 : -1;
      if (focused !== undefined && !focused.isConnected) {
        focused = undefined;
        if (document.activeElement === null || document.activeElement === document.body) focusBox();
      }
    },
    focus,
    holding: () => body.contains(document.activeElement),
  };
}
