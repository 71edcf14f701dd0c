export { seedCity, type CityStaff, type SeededCity, type ServiceUrls } from './city-seed.js';
export { counterDay, type CounterDay, type CounterOptions } from './counter.js';
export {
  runCityDay,
  type CityDayDeps,
  type CityDayOptions,
  type CityDayResult,
} from './city-day.js';
export { call, signIn, type Json, type Session } from './http.js';
export { nightlyClearing, settle, type Settlement } from './night.js';
export { writeDemoOutput } from './output.js';
export { SimClock } from './sim-clock.js';
