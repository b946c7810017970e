import Anser, { type AnserJsonEntry } from 'anser';
import { memo, type CSSProperties } from 'react';

const NAMED = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

/** xterm's 256-colour palette beyond the 16 named colours: a 6×6×6 cube, then 24 greys. */
function paletteColor(index: number): string | undefined {
  if (index >= 16 && index < 232) {
    const value = index - 16;
    const level = (step: number) => (step === 0 ? 0 : 55 + step * 40);
    return `rgb(${level(Math.floor(value / 36))}, ${level(Math.floor(value / 6) % 6)}, ${level(value % 6)})`;
  }
  if (index >= 232 && index < 256) {
    const grey = 8 + (index - 232) * 10;
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  return undefined;
}

/** Class (for the 16 themed colours) or inline colour (256-colour and true-colour codes) of one side. */
function colorOf(
  name: string | null,
  truecolor: string | null,
  side: 'fg' | 'bg',
): { className?: string; color?: string } {
  if (!name) return {};
  if (name === 'ansi-truecolor') return truecolor ? { color: `rgb(${truecolor})` } : {};
  const palette = /^ansi-palette-(\d+)$/.exec(name);
  if (palette) {
    const index = Number(palette[1]);
    if (index < 16) {
      const base = NAMED[index % 8] ?? 'white';
      return { className: index >= 8 ? `ansi-bright-${base}-${side}` : `ansi-${base}-${side}` };
    }
    return { color: paletteColor(index) };
  }
  return { className: `${name}-${side}` };
}

function toSpan(entry: AnserJsonEntry, key: number) {
  const fg = colorOf(entry.fg, entry.fg_truecolor, 'fg');
  const bg = colorOf(entry.bg, entry.bg_truecolor, 'bg');
  const classes = [fg.className, bg.className, ...entry.decorations.map((decoration) => `ansi-${decoration}`)].filter(
    Boolean,
  );
  const style: CSSProperties | undefined =
    fg.color || bg.color ? { color: fg.color, backgroundColor: bg.color } : undefined;
  if (classes.length === 0 && !style) return entry.content;
  return (
    <span key={key} className={classes.join(' ')} style={style}>
      {entry.content}
    </span>
  );
}

/** One line of output with its ANSI colours and styles rendered (parsed by `anser`). */
export const AnsiText = memo(function AnsiText({ text }: { text: string }) {
  if (!text.includes('\u001b')) return <>{text}</>;
  const entries = Anser.ansiToJson(text, { use_classes: true, remove_empty: true });
  return <>{entries.map(toSpan)}</>;
});
