/**
 * Grafana's core swaps @grafana/runtime's PanelDataErrorView for its own at
 * boot through a setter the package does not export publicly. The page imports
 * the setter from the very module file the package's index re-exports, so
 * plugins see the swap (one module in the bundle, one live binding).
 */
declare module '*/@grafana/runtime/dist/esm/components/PanelDataErrorView.mjs' {
  import type { PanelDataErrorViewProps } from '@grafana/runtime';
  import type { ComponentType } from 'react';

  export function setPanelDataErrorView(renderer: ComponentType<PanelDataErrorViewProps>): void;
}
