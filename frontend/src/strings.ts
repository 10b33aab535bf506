// Every text the panel shows comes from strings.en.json.
import strings from "./strings.en.json";

export type StringKey = keyof typeof strings;

export function t(key: StringKey, vars: Record<string, string | number> = {}): string {
  return strings[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** A translated string for a key built at run time (status codes, sources), or a fallback. */
export function tMaybe(key: string, fallback: string): string {
  return key in strings ? strings[key as StringKey] : fallback;
}
