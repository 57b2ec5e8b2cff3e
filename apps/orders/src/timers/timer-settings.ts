import { readTimerSettings, type TimerSettings } from '@prov/config';

/** The orders service's timer settings (libs/config), read once when the module is built. */
export const TIMER_SETTINGS = Symbol('TIMER_SETTINGS');

export const timerSettingsProvider = {
  provide: TIMER_SETTINGS,
  useFactory: (): TimerSettings => readTimerSettings(),
};
