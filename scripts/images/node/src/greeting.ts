import _ from "lodash";

export function greeting(name: string): string {
  return `Hello, ${_.capitalize(name)}!`;
}
