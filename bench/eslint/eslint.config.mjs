// eslint-plugin-security's recommended rules over every JavaScript and TypeScript file, parsed with
// typescript-eslint's parser (no type information: the plugin needs none). Used by bench/compare.sh.
import security from "eslint-plugin-security";
import tseslint from "typescript-eslint";

export default [
  { ignores: ["**/node_modules/**", "**/dist/**", "**/build/**", "**/.next/**", "**/coverage/**"] },
  {
    files: ["**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}"],
    languageOptions: { parser: tseslint.parser, ecmaVersion: "latest", sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "off" },
    plugins: { security },
    rules: security.configs.recommended.rules,
  },
];
