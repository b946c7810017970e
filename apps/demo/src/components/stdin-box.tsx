import { useSandprocClient } from '@sandproc/react';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../errors.js';

/** Sends text to a process's stdin (with a newline), or closes it (EOF). */
export function StdinBox({ processId, disabled }: { processId: string; disabled: boolean }) {
  const client = useSandprocClient();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(action: () => Promise<void>) {
    setSending(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSending(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const data = `${text}\n`;
    void run(async () => {
      await client.process.writeStdin(processId, data);
      setText('');
    });
  }

  return (
    <form className="stdin-box" onSubmit={submit} data-testid="stdin-box">
      <input
        data-testid="stdin-input"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder={disabled ? 'stdin closed' : 'Type a line for stdin and press Enter'}
        disabled={disabled}
        spellCheck={false}
      />
      <button type="submit" data-testid="stdin-send" disabled={disabled || sending}>
        Send
      </button>
      <button
        type="button"
        data-testid="stdin-close"
        disabled={disabled || sending}
        onClick={() => void run(() => client.process.closeStdin(processId))}
      >
        Close stdin (EOF)
      </button>
      {error ? (
        <span className="form-error" data-testid="stdin-error">
          {error}
        </span>
      ) : null}
    </form>
  );
}
