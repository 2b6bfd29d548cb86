import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import type { SourceProblem } from '../core/python/ast.ts';

/**
 * The program editor: CodeMirror 6 with Python's grammar. This is the only module that imports
 * CodeMirror, and the loop stepper imports it only when a learner opens the editor, so pages ship
 * none of it until then. Tab is left to the browser (it moves focus, so the editor never traps the
 * keyboard); Ctrl-] and Ctrl-[ indent, Ctrl-Enter runs.
 */
export type ProgramEditor = {
  text(): string;
  setText(text: string): void;
  /** Marks where the program cannot run (or clears the mark) and puts the cursor there. */
  showProblem(problem: SourceProblem | undefined): void;
  focus(): void;
};

/** Token colours come from the site's own palette (global.css), so both themes keep their contrast. */
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword, tags.operatorKeyword], class: 'tok-keyword' },
  { tag: [tags.string, tags.special(tags.string)], class: 'tok-string' },
  { tag: [tags.number, tags.bool, tags.null], class: 'tok-number' },
  { tag: [tags.comment, tags.lineComment], class: 'tok-comment' },
  { tag: [tags.function(tags.definition(tags.variableName)), tags.definition(tags.className)], class: 'tok-definition' },
]);

export function createProgramEditor(
  parent: HTMLElement,
  options: { text: string; label: string; describedBy: string; onRun: () => void; onChange: () => void },
): ProgramEditor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        indentUnit.of('    '),
        EditorState.tabSize.of(4),
        python(),
        syntaxHighlighting(highlight),
        lintGutter(),
        keymap.of([
          { key: 'Mod-Enter', run: () => (options.onRun(), true) },
          { key: 'Mod-]', run: indentMore },
          { key: 'Mod-[', run: indentLess },
          ...historyKeymap,
          ...defaultKeymap,
        ]),
        EditorView.contentAttributes.of({ 'aria-label': options.label, 'aria-describedby': options.describedBy }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange();
        }),
      ],
    }),
  });

  return {
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      view.dispatch(setDiagnostics(view.state, []));
    },
    showProblem(problem) {
      if (problem === undefined) {
        view.dispatch(setDiagnostics(view.state, []));
        return;
      }
      const doc = view.state.doc;
      const line = doc.line(Math.max(1, Math.min(problem.line, doc.lines)));
      const from = Math.min(line.from + Math.max(0, problem.col - 1), line.to);
      const to = from < line.to ? line.to : from;
      const diagnostic: Diagnostic = { from, to, severity: 'error', message: problem.message };
      view.dispatch(setDiagnostics(view.state, [diagnostic]));
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    },
    focus: () => view.focus(),
  };
}
