// Negotiation components: the RFQ ticket builder, leg pricing, quote card and quote form.
export { PackageBuilder, type PackageBuilderProps, type RemoteFocus } from './PackageBuilder.tsx'
export { LegPricing, LegPricingCells, LegPricingHeaders, CollateralSummary, type LegPricingProps } from './LegPricing.tsx'
export { QuoteCard, type QuoteCardProps } from './QuoteCard.tsx'
export { QuoteForm, type QuoteFormProps, type QuoteSubmission } from './QuoteForm.tsx'
export {
  addTemplate,
  draftToPackage,
  emptyDraft,
  strikeDecimals,
  errorsFor,
  legField,
  removeLeg,
  updateLeg,
  TEMPLATES,
  type ChannelSpec,
  type DraftLeg,
  type DraftResult,
  type FeedSpec,
  type FieldError,
  type PackageDraft,
  type TemplateName,
} from './draft.ts'
export { priceDraft, type DraftPricing } from './legPricing.ts'
export { blockedReason, effectiveStatus, formatCountdown, quoteEdge, quoteTraded, suggestQuote, type QuoteCardQuote, type QuoteCardStatus } from './quote.ts'
