import { LabIcon } from '@jupyterlab/ui-components';

// Drawn for dtolab (no external assets): a wave over a grid, and a branching arrow.
const catalogSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
<g class="jp-icon3" fill="#616161">
<path d="M3 5h18v2H3zM3 17h18v2H3z"/>
<path d="M3 12c2-2.5 4-2.5 6 0s4 2.5 6 0 4-2.5 6 0v2c-2-2.5-4-2.5-6 0s-4 2.5-6 0-4-2.5-6 0z"/>
</g></svg>`;

const scenarioSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
<g class="jp-icon3" fill="#616161">
<path d="M4 11h7l4-5h3V4l3 3-3 3V8h-2l-4 5H4z"/>
<path d="M13.5 15.5 15 14l1 1.5h2V14l3 3-3 3v-2h-3z"/>
</g></svg>`;

export const catalogIcon = new LabIcon({
  name: 'dtolab:catalog',
  svgstr: catalogSvg
});

export const scenarioIcon = new LabIcon({
  name: 'dtolab:scenarios',
  svgstr: scenarioSvg
});
