import type { Route } from '../router';

/** A page of the application, drawn into the main element. */
export interface View {
  /** The route changed but stays on this kind of page; return false to have the view rebuilt. */
  update?(route: Route): boolean;
  /** Stops pending requests and frees maps; the main element is emptied afterwards. */
  destroy(): void;
}
