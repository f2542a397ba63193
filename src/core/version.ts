/** The tool version reported in JSON, SARIF and mail footers (kept equal to package.json's). */
export const VERSION = '0.1.0';
