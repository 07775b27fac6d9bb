"""The element names of the WCO Data Model's declaration (DEC-DMS 2), by local name.

Taken from HMRC's `WCO_DEC_2_DMS.xsd` (every element it declares) and `DateTimeString`
of `WCO_DEC_DS_2_DMS.xsd`. An element inside a `Declaration` whose local name is not one
of these is input alcheck does not read, reported (SYN-UNKNOWN), never passed over: a
misspelt `Orgin` or `TypCode` must not go unnoticed. Both WCO readers (`wco_xml` and the
gateway's `_wcoitem`) take this list.
"""

from __future__ import annotations

WCO_NAMES: frozenset[str] = frozenset(
    """
    AEOMutualRecognitionParty AcceptanceDateTime AccessCode AdValoremTaxBaseAmount AdditionCode
    AdditionalDocument AdditionalInformation Address Agent Amendment AmountAmount
    ArrivalTransportMeans Authentication Authenticator AuthorisationHolder BorderTransportMeans
    Buyer Carrier CategoryCode ChangeReasonCode ChargeDeduction ChargesTypeCode CityName
    Classification Commodity Communication ConditionCode Consignee Consignment ConsignmentItem
    Consignor Contact ContainerCode CountryCode CountryRelationshipCode CountrySubDivisionCode
    CountrySubDivisionName CurrencyExchange CurrencyTypeCode CurrentCode CustomsValuation
    CustomsValueAmount DangerousGoods DateTimeString Declarant Declaration DeclarationOfficeID
    DeductAmount DepartureTransportMeans Description Destination DocumentSectionCode
    DomesticDutyTaxParty DutyRegimeCode DutyTaxFee EffectiveDateTime ExitDateTime ExitOffice
    ExportCountry Exporter Freight FreightChargeAmount FunctionCode FunctionalReferenceID
    GoodsItemQuantity GoodsLocation GoodsMeasure GoodsShipment GovernmentAgencyGoodsItem
    GovernmentProcedure GrossMassMeasure GuaranteeOffice HeightMeasure ID
    IdentificationTypeCode Importer Invoice InvoiceAmount InvoiceLine IssueDateTime
    IssueLocationID ItemChargeAmount Itinerary LPCOExemptionCode LengthMeasure Line LineNumeric
    LoadingListQuantity LoadingLocation LocationID LocationName MarksNumbersID MethodCode
    ModeCode Name NetNetWeightMeasure ObligationGuarantee Origin OtherChargeDeductionAmount
    Packaging PackingMaterialDescription Payer Payment PaymentAmount PaymentMethodCode Pointer
    PostcodeID PresentationOffice PreviousCode PreviousDocument QuantityQuantity QuotaOrderID
    RateNumeric ReferenceID RegionID RegistrationNationalityCode RoleCode RoutingCountryCode
    Seal SecurityDetailsCode Seller SequenceNumeric SpecificCircumstancesCodeCode
    SpecificTaxBaseQuantity StatementCode StatementDescription StatementTypeCode
    StatisticalValueAmount Submitter SupervisingOffice Surety TagID TariffQuantity
    TaxAssessedAmount TaxRateNumeric TotalGrossMassMeasure TotalPackageQuantity TradeTerms
    TraderAssignedReferenceID TransactionNatureCode TransportEquipment TypeCode UCR UNDGID
    ValuationAdjustment VolumeMeasure Warehouse WidthMeasure WriteOff
    """.split()
)
