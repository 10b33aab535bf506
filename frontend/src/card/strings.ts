// Every text the card shows comes from strings.en.json (its own file: the card's bundle stays small).
import strings from "./strings.en.json";

export type CardStringKey = keyof typeof strings;

export function t(key: CardStringKey, vars: Record<string, string | number> = {}): string {
  return strings[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}
