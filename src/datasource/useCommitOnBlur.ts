import { type KeyboardEvent, useState } from 'react';

/**
 * Text typed into a query field, committed only on blur or Enter, so that
 * typing "0." or "1" on the way to "15m" does not run a query per keystroke.
 * When the stored value changes from outside (undo, another editor), the box
 * shows the new value.
 */
export function useCommitOnBlur(storedText: string, commit: (text: string) => void) {
  const [text, setText] = useState(storedText);
  const [shown, setShown] = useState(storedText);
  if (shown !== storedText) {
    setShown(storedText);
    setText(storedText);
  }
  return {
    value: text,
    onChange: (event: { currentTarget: { value: string } }) => setText(event.currentTarget.value),
    onBlur: () => commit(text.trim()),
    onKeyDown: (event: KeyboardEvent<HTMLInputElement>) => {
      if (event.key === 'Enter') {
        commit(text.trim());
      }
    },
  };
}
