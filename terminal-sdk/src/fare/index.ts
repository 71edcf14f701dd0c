export * from './fare-set.schema.js';
export { fareIndex, type FareIndex } from './fare-index.js';
export { parseFareSet, fareSetFromJson, loadFareSetFile } from './load-fare-set.js';
export { EMPTY_RIDER_STATE, type RiderState } from './rider-state.js';
export { applyConcession, riderCategoryFor, type CardFareProfile } from './concession.js';
export { serviceDayOf, serviceDate, unixSeconds } from './time.js';
export {
  priceTap,
  type PriceTapInput,
  type PricedTap,
  type TapInput,
  type TapMode,
  type FareDetails,
  type TransitRecordType,
} from './price-tap.js';
export { priceDay, compareTaps, type DayCharge, type PricedDay } from './price-day.js';
export { pricePurchase, type PurchaseInput } from './purchase.js';
export { SAMPLE_CITY_FARES, SAMPLE_CITY_FARE_SET } from './sample-city.js';
